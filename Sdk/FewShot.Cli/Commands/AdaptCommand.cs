using System.CommandLine;
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
    public static Command Create(TextWriter output, TextWriter error)
    {
        var support = new Option<string>("--support") { Description = "Support set: <folder>/<label>/*.png (or .jpg), or .npz with x and y", Required = true };
        var query = BundleInputs.Queries();
        var steps = new Option<int?>("--steps") { Description = "Adaptation steps (default: the bundle's)" }.AtLeast(1)
            .AtMost(RuntimeOptions.DefaultMaxAdaptationSteps, "RuntimeOptions.MaxAdaptationSteps, FewShot.Runtime's default");
        var exportOnnx = new Option<string?>("--export-onnx") { Description = "Also write the adapted model as one self-contained ONNX file (the command prints where)" };
        var save = new Option<string?>("--save") { Description = "Also save the adapted state (fewshot predict --state reads it with the same bundle)" };
        var json = RunOptions.Json();
        var command = new Command("adapt", "Adapt a bundle to a support set and predict queries.");
        var inputs = new BundleInputs(command, support, query, steps, exportOnnx, save, json);

        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            using var bundle = inputs.Load(parse, predictionOnly: false);
            var supportSet = inputs.Examples(parse, bundle, parse.GetValue(support)!);
            var querySet = inputs.Examples(parse, bundle, parse.GetValue(query)!);
            if (parse.GetValue(steps) is { } givenSteps && bundle.Manifest.InnerLoop is null)
            {
                // The Runtime ignores Steps for such bundles; a user who asked for them should not believe they ran.
                throw new ArgumentException($"--steps {givenSteps} has no effect: this {bundle.Manifest.Algorithm} bundle adapts without gradient steps; leave --steps out");
            }

            var options = new AdaptOptions { Steps = parse.GetValue(steps) };
            var adapted = bundle.Kind switch
            {
                OutputKind.Regression => bundle.AdaptRegression(supportSet.Inputs, supportSet.Targets
                    ?? throw new ArgumentException("a regression bundle needs targets: an .npz whose 'y' is float"), options),
                OutputKind.Reconstruction => bundle.AdaptUnlabeled(supportSet.Inputs, options),
                _ => bundle.Adapt(supportSet.Inputs, supportSet.Labels ?? throw new ArgumentException(supportSet.Targets is null
                    ? "the support set needs labels: class folders, or an .npz with integer 'y'"
                    : "the support set's 'y' holds floating-point values (regression targets); this classification bundle needs integer labels"), options),
            };

            var onnxPath = parse.GetValue(exportOnnx);
            if (onnxPath is not null)
            {
                ExportOnnx(onnxPath, inputs.ModelPath(parse), bundle, adapted);
            }

            var statePath = parse.GetValue(save);
            if (statePath is not null)
            {
                adapted.Save(statePath);
            }

            PredictionReport.Write(output, parse.GetValue(json), bundle, adapted, querySet);
            // Where the files went, beside --json's one object on standard output, never inside it.
            var written = parse.GetValue(json) ? error : output;
            if (onnxPath is not null)
            {
                written.WriteLine($"adapted model written to '{Path.GetFullPath(onnxPath)}' (one plain ONNX file with θ′ baked in)");
            }

            if (statePath is not null)
            {
                written.WriteLine($"state saved to '{Path.GetFullPath(statePath)}' (fewshot predict --state reads it with this bundle)");
            }

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
}
