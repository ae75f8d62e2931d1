using FewShot.Bundles;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using FewShot.Runtime.Sessions;

namespace FewShot.Runtime.Bundles;

/// <summary>Opening the bundle's sessions: θ₀ written into each graph where no run varies it, a graph cache, profiling, shares.</summary>
internal sealed partial class BundleGraphs
{
    // Before any run: the shared arena's first chunk on huge pages (a first prediction of 75 queries without it took
    // about 25 ms more in fewshot-edge classify, faulting in its buffers 4 KB at a time).
    private static void AdviseHugePages(InferenceSession session, RuntimeOptions options)
    {
        if (options.UseMemoryArena && options.Device.Kind == ExecutionDeviceKind.Cpu)
        {
            ArenaHugePages.AdviseOnce(session);
        }
    }

    private AdaptGraph OpenUnrolled(BundleArchive archive, RuntimeOptions options, ILogger logger, ModelManifest manifest)
    {
        lock (_owned)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(FewShotModel));
            using SessionOptions native = SessionOptionsFactory.Create(options, null, logger);
            InferenceSession session = Open(archive, BundleNames.AdaptKEntry, native, options, logger);
            AdaptGraph unrolled = PrepareAdapt(session, GraphChecks.Check(session, BundleNames.AdaptKEntry, manifest), state: []);
            if (unrolled.ReadsFeatures && Features is null)
            {
                throw new InvalidBundleException(BundleNames.AdaptKEntry,
                    $"{BundleNames.AdaptKEntry} reads '{BundleNames.SupportFeatures}' but {BundleNames.AdaptEntry} reads '{BundleNames.SupportX}'; "
                    + $"a bundle computes support features for its K-step graph only if its one-step graph reads them too");
            }

            return unrolled;
        }
    }

    // Opens an entry's session, with one intra-op thread when its runs go side by side in shares.
    private InferenceSession OpenShared(
        BundleArchive archive, string entry, int shares, SessionOptions native, RuntimeOptions options, ILogger logger, IEnumerable<string> constant)
    {
        if (shares <= 1)
        {
            return Open(archive, entry, native, options, logger, constant);
        }

        RuntimeOptions oneThread = options.Copy();
        oneThread.IntraOpThreads = 1;
        using SessionOptions single = SessionOptionsFactory.Create(oneThread, null, logger);
        return Open(archive, entry, single, oneThread, logger, constant);
    }

    // Opens an entry's session; the parameter inputs named in constant (those the graph has) are written into it as θ₀.
    private InferenceSession Open(
        BundleArchive archive, string entry, SessionOptions native, RuntimeOptions options, ILogger logger, IEnumerable<string>? constant = null)
    {
        try
        {
            var values = (constant ?? []).Where(_parameters.ContainsKey).ToDictionary(name => name, name => _parameters[name], StringComparer.Ordinal);
            (byte[] model, IReadOnlySet<string> turned) = ConstantInputs.Freeze(archive.Graphs[entry], values);
            InferenceSession session;
            if (options.ProfilingFilePrefix is { } prefix)
            {
                // One profile per graph: ORT names the files by prefix and the second, so sessions must not share a prefix.
                using SessionOptions profiled = SessionOptionsFactory.Create(options, $"{prefix}_{Path.GetFileNameWithoutExtension(entry)}", logger);
                session = Own(new InferenceSession(model, profiled));
            }
            else if (OptimizedGraphCache.For(options) is { } cache)
            {
                session = Own(cache.Open(model, options, logger));
            }
            else
            {
                session = Own(new InferenceSession(model, native));
            }

            lock (_constant)
            {
                _constant[session] = turned;
            }

            _sessionCreated?.Invoke(this, entry);
            return session;
        }
        catch (OnnxRuntimeException e) when (options.Device.Kind == ExecutionDeviceKind.Cuda && e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase))
        {
            throw ExecutionDeviceException.CudaUnavailable(options.Device, e);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidBundleException(entry, $"ONNX Runtime cannot load {entry}: {e.Message.Trim()}", e);
        }
    }

    // Locked: Load opens two sessions side by side.
    private T Own<T>(T disposable)
        where T : IDisposable
    {
        lock (_owned)
        {
            _owned.Add(disposable);
        }

        return disposable;
    }
}
