using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;

namespace FewShot.Cli.Benchmarks;

/// <summary>
/// conv4 Omniglot-shaped bundles for the adaptation benchmark, written to a temporary folder that is deleted on
/// dispose: MAML (inner step 0.4, unrolled K = 5) on conv4, on the strided conv4 (MAML's Omniglot network), with
/// support statistics and with group norm (the shipped bundles' normalization), ANIL (K = 10) and ProtoNets, with PyTorch-default initial weights.
/// </summary>
internal sealed class AdaptBundles : IDisposable
{
    private readonly string _folder;
    private bool _keep;

    private AdaptBundles(string folder, int ways)
    {
        _folder = folder;
        Maml = Write("maml", new Maml(new Conv4([1, 28, 28], ways, normalization: FeatureNormalization.Batch), TaskKind.Classification, Inner(5)), 5);
        var strided = new Conv4([1, 28, 28], ways, normalization: FeatureNormalization.Batch, downsampling: Conv4Downsampling.Stride);
        MamlStrided = Write("maml-strided", new Maml(strided, TaskKind.Classification, Inner(5)), 5);
        MamlSupport = Write("maml-support", new Maml(new Conv4([1, 28, 28], ways, normalization: FeatureNormalization.Support), TaskKind.Classification, Inner(5)), 5);
        MamlGroup = Write("maml-group", new Maml(new Conv4([1, 28, 28], ways, normalization: FeatureNormalization.Group), TaskKind.Classification, Inner(5)), 5);
        Anil = Write("anil", new Anil(new Conv4([1, 28, 28], ways, normalization: FeatureNormalization.Batch), TaskKind.Classification, Inner(10)), 10);
        ProtoNet = Write("protonet", new ProtoNet(new Conv4([1, 28, 28], 0, normalization: FeatureNormalization.Batch)), 1);
    }

    public string Maml { get; }

    public string MamlStrided { get; }

    /// <summary>MAML on conv4 with support statistics (MetaBN): the adapted state carries them, predict reads them.</summary>
    public string MamlSupport { get; }

    /// <summary>MAML on conv4 with group norm, each example normalized by itself, as the shipped bundles are.</summary>
    public string MamlGroup { get; }

    public string Anil { get; }

    public string ProtoNet { get; }

    public static AdaptBundles Create(int ways)
    {
        var folder = Directory.CreateTempSubdirectory("fewshot-bench-").FullName;
        try
        {
            return new AdaptBundles(folder, ways);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    /// <summary>Writes the bundles (maml, maml-strided, maml-support, maml-group, anil, protonet .fewshot) into <paramref name="folder"/> and keeps them there.</summary>
    public static void Keep(string folder, int ways)
    {
        Directory.CreateDirectory(folder);
        _ = new AdaptBundles(folder, ways) { _keep = true };
    }

    public void Dispose()
    {
        if (!_keep)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static InnerLoopOptions Inner(int steps) => new() { Steps = steps, LearningRate = 0.4f };

    private string Write(string name, MetaAlgorithm algorithm, int steps)
    {
        var path = Path.Combine(_folder, name + ".fewshot");
        // Untrained: initialized, never shown data, so its manifest claims no preprocessing.
        var run = new RunConfiguration { Algorithm = name, Dataset = "untrained", Ways = 5, Shots = 5 };
        BundleExport.Write(path, algorithm, algorithm.Initialize(new Random(0)), run, iterations: 0, steps, measured: null);
        return path;
    }
}
