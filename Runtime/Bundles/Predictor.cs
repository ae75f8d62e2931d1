using FewShot.Bundles;
using System.Runtime.InteropServices;

namespace FewShot.Runtime.Bundles;

/// <summary>Runs predict.onnx for an adapted model's state. Stateless between calls, so any number of threads may predict at once.</summary>
internal sealed class Predictor(BundleGraphs graphs, ModelManifest manifest, int exampleSize)
{
    /// <summary>The raw outputs of one prediction run.</summary>
    /// <param name="Count">Query examples n.</param>
    /// <param name="RowSize">Values per example in <paramref name="Values"/>.</param>
    /// <param name="Values">"output", [n, RowSize] row-major.</param>
    /// <param name="Scores">"score" [n] for reconstruction bundles, else null.</param>
    internal sealed record Result(int Count, int RowSize, float[] Values, float[]? Scores);

    /// <exception cref="ArgumentException">The queries are empty, not whole examples, or not finite.</exception>
    /// <exception cref="InvalidBundleException">predict.onnx returned outputs of the wrong shape.</exception>
    public Result Run(AdaptedModel adapted, ReadOnlyMemory<float> queries, CancellationToken cancellationToken)
    {
        int count = InputChecks.CountExamples(queries.Span, manifest.Input.Shape, exampleSize, "query inputs", "queryInputs");
        InputChecks.RequireBatch(graphs.PredictInput, count, BundleNames.PredictEntry, "query examples", "queryInputs");
        IReadOnlyList<AdaptedTensor> state = adapted.Tensors;
        var inputs = new OrtTensor[1 + state.Count + graphs.PredictConstants.Length];
        var outputs = new OrtTensor?[graphs.Predict.OutputNames.Count];
        int created = 0;
        try
        {
            inputs[created++] = OrtTensor.FromMemory(MemoryMarshal.AsMemory(queries), [count, .. manifest.Input.Shape]);
            foreach (AdaptedTensor tensor in state)
            {
                inputs[created++] = OrtTensor.FromArray(tensor.Data, tensor.Dimensions);
            }

            // θ₀ for the rest is the graphs' to keep: copied in after the tensors this call creates and disposes.
            graphs.PredictConstants.CopyTo(inputs, created);
            graphs.Predict.Run(inputs, outputs, cancellationToken);
            OrtTensor output = outputs[0]!;
            if (output.Rank < 1 || output.Shape[0] != count || output.ElementCount > int.MaxValue)
            {
                throw Invalid($"returned '{BundleNames.Output}' of shape [{InputChecks.Show(output.Shape.ToArray())}] for {count} queries; expected [{count}, …]");
            }

            int rowSize = (int)(output.ElementCount / count);
            int expected = manifest.Output.Kind == OutputKind.Embedding ? adapted.Labels.Count : manifest.Output.Size;
            if (output.Rank != 2 || rowSize != expected)
            {
                throw Invalid($"returned '{BundleNames.Output}' of shape [{InputChecks.Show(output.Shape.ToArray())}]; expected [{count}, {expected}]");
            }

            float[]? scores = null;
            if (outputs.Length > 1)
            {
                OrtTensor score = outputs[1]!;
                if (score.Rank != 1 || score.Shape[0] != count)
                {
                    throw Invalid($"returned '{BundleNames.Score}' of shape [{InputChecks.Show(score.Shape.ToArray())}]; expected [{count}]");
                }

                scores = score.ToArray<float>();
            }

            return new Result(count, rowSize, output.ToArray<float>(), scores);
        }
        finally
        {
            for (int i = 0; i < created; i++)
            {
                inputs[i].Dispose();
            }

            foreach (OrtTensor? output in outputs)
            {
                output?.Dispose();
            }
        }
    }

    private static InvalidBundleException Invalid(string problem) => new(BundleNames.PredictEntry, $"{BundleNames.PredictEntry} {problem}");
}
