using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Exporters.Graphs;
using FewShot.Runtime.Bundles;
using FewShot.Runtime;

namespace FewShot.Cli.Commands;

/// <summary>
/// <c>fewshot adapt</c>: what a device does with a bundle: adapt to a small support set, predict the queries, and
/// optionally write the adapted model as one plain ONNX file or save the adapted state.
/// </summary>
internal static class AdaptCommand
{
    private const string NoGraphCache = "none";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model") { Description = "Bundle file (.fewshot)", Required = true };
        var support = new Option<string>("--support") { Description = "Support set: <folder>/<label>/*.png (or .jpg), or .npz with x and y", Required = true };
        var query = new Option<string>("--query") { Description = "Queries: a folder (of class folders, to report accuracy, or of PNG/JPEG images), or .npz with x (and y)", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Adaptation steps (default: the bundle's)" };
        var invert = new Option<bool>("--invert") { Description = "Use 1 − value for every input (dark-on-light images with an Omniglot bundle, whose strokes are 1.0)" };
        var exportOnnx = new Option<string?>("--export-onnx") { Description = "Also write the adapted model as one self-contained ONNX file" };
        var save = new Option<string?>("--save") { Description = "Also save the adapted state (reload with the same bundle)" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var graphCache = new Option<string>("--graph-cache")
        {
            Description = $"Folder of ONNX Runtime's optimized graphs, which later runs on this machine reuse instead of optimizing again ('{NoGraphCache}' for none)",
            DefaultValueFactory = _ => RuntimeOptions.DefaultGraphCacheDirectory() ?? NoGraphCache,
        };
        var json = RunOptions.Json();
        var command = new Command("adapt", "Adapt a bundle to a support set and predict queries.") { model, support, query, steps, invert, exportOnnx, save, threads, graphCache, json };
        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            var bundlePath = parse.GetValue(model)!;
            // One adaptation per process: a warm-up at Load would only add its work to the cold start.
            string cache = parse.GetValue(graphCache)!;
            if (string.IsNullOrWhiteSpace(cache))
            {
                throw new ArgumentException($"--graph-cache needs a folder, or '{NoGraphCache}' for no cache");
            }

            using var bundle = FewShotModel.Load(bundlePath, new RuntimeOptions
            {
                IntraOpThreads = parse.GetValue(threads),
                WarmUp = false,
                GraphCacheDirectory = cache == NoGraphCache ? null : cache,
            });
            var shape = bundle.Manifest.Input.Shape;
            var supportSet = ExampleSet.Load(parse.GetValue(support)!, shape, parse.GetValue(invert));
            var querySet = ExampleSet.Load(parse.GetValue(query)!, shape, parse.GetValue(invert));
            var options = new AdaptOptions { Steps = parse.GetValue(steps) };
            var adapted = bundle.Kind switch
            {
                OutputKind.Regression => bundle.AdaptRegression(supportSet.Inputs, supportSet.Targets
                    ?? throw new ArgumentException("a regression bundle needs targets: an .npz whose 'y' is float"), options),
                OutputKind.Reconstruction => bundle.AdaptUnlabeled(supportSet.Inputs, options),
                _ => bundle.Adapt(supportSet.Inputs, supportSet.Labels
                    ?? throw new ArgumentException("the support set needs labels: class folders, or an .npz with integer 'y'"), options),
            };

            var rows = Predict(bundle.Kind, adapted, querySet);
            if (parse.GetValue(exportOnnx) is { } onnxPath)
            {
                ExportOnnx(onnxPath, bundlePath, bundle, adapted);
            }

            if (parse.GetValue(save) is { } statePath)
            {
                adapted.Save(statePath);
            }

            Report(output, parse.GetValue(json), bundle, adapted, querySet, rows);
            return 0;
        }));
        return command;
    }

    // Apart from the command's body, so that an adaptation without --export-onnx never loads FewShot.Exporters and its
    // protobuf code (the JIT resolves every type a method names when it compiles it).
    private static void ExportOnnx(string onnxPath, string bundlePath, FewShotModel bundle, AdaptedModel adapted)
    {
        var predictOnnx = BundleFile.ReadEntry(bundlePath, BundleNames.PredictEntry);
        // Carried state (a learned optimizer's) served adaptation; the plain model is predict with θ′ alone.
        var carried = GraphExpectations.Carried(bundle.Manifest);
        var tensors = adapted.Tensors.Where(t => !carried.Contains(t.Name)).Select(t => TensorData.Float(t.Name, t.Shape.ToArray(), t.Values.Span)).ToArray();
        AdaptedOnnxExport.Write(onnxPath, predictOnnx, BundleFile.ReadParameters(bundlePath), tensors, adapted.Labels.Count > 0 ? adapted.Labels : null);
    }

    private sealed record Row(string Name, string? Label, float? Probability, float? Score, float[]? Values);

    private static Row[] Predict(OutputKind kind, AdaptedModel adapted, ExampleSet queries)
    {
        if (kind == OutputKind.Regression)
        {
            return adapted.PredictValues(queries.Inputs).Select((v, i) => new Row(queries.Names[i], null, null, null, v)).ToArray();
        }

        return adapted.Predict(queries.Inputs)
            .Select((p, i) => new Row(queries.Names[i], p.Label, p.Probabilities.Count > 0 ? p.Probabilities[p.ClassIndex] : null, p.Score, null))
            .ToArray();
    }

    private static void Report(TextWriter output, bool json, FewShotModel bundle, AdaptedModel adapted, ExampleSet queries, Row[] rows)
    {
        double? accuracy = queries.Labels is { } truth && rows.All(r => r.Label is not null)
            ? rows.Where((r, i) => r.Label == truth[i]).Count() / (double)rows.Length
            : null;
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                model = bundle.Hash,
                algorithm = bundle.Manifest.Algorithm,
                labels = adapted.Labels,
                accuracy,
                predictions = rows.Select(r => new { name = r.Name, label = r.Label, probability = r.Probability, score = r.Score, values = r.Values }),
            }));
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"{bundle.Manifest.Algorithm} bundle {bundle.Hash[..12]} adapted to {adapted.Labels.Count} classes; {rows.Length} queries:");
        foreach (var row in rows)
        {
            output.WriteLine(row switch
            {
                { Values: { } v } => $"  {row.Name,-24} {string.Join(", ", v.Select(x => x.ToString("F4", inv)))}",
                { Score: { } s } => string.Create(inv, $"  {row.Name,-24} reconstruction error {s:F5}"),
                _ => string.Create(inv, $"  {row.Name,-24} {row.Label} ({row.Probability:P1})"),
            });
        }

        if (accuracy is { } a)
        {
            output.WriteLine(string.Create(inv, $"Accuracy: {a:P2}"));
        }
    }
}
