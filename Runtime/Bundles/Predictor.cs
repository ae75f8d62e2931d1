using FewShot.Bundles;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using FewShot.Runtime.Sessions;

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
    /// <exception cref="GraphRunException">ONNX Runtime failed the run, e.g. predict.onnx returned outputs of another shape than the manifest's.</exception>
    public Result Run(AdaptedModel adapted, ReadOnlyMemory<float> queries, CancellationToken cancellationToken)
    {
        int count = InputChecks.CountExamples(queries.Span, manifest.Input.Shape, exampleSize, "query inputs", "queryInputs");
        InputChecks.RequireBatch(graphs.PredictInput, count, BundleNames.PredictEntry, "query examples", "queryInputs");
        IReadOnlyList<AdaptedTensor> state = adapted.Tensors;
        int rowSize = manifest.Output.Kind == OutputKind.Embedding ? adapted.Labels.Count : manifest.Output.Size;
        var values = new float[checked(count * rowSize)];
        float[]? scores = graphs.Predict.Outputs.Length > 1 ? new float[count] : null;

        using var run = new GraphRun(cancellationToken);
        // θ₀ of the parameters not adapted comes last; those values are the graphs', so only the ones created here are disposed.
        var inputs = new OrtValue[1 + state.Count + graphs.PredictConstants.Length];
        graphs.PredictConstants.CopyTo(inputs, 1 + state.Count);
        var outputs = new OrtValue[graphs.Predict.Outputs.Length];
        try
        {
            inputs[0] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(queries), [count, .. manifest.Input.Shape]);
            for (int i = 0; i < state.Count; i++)
            {
                inputs[i + 1] = OrtValue.CreateTensorValueFromMemory(state[i].Data, state[i].Dimensions);
            }

            // Outputs are written straight into the result's arrays: ORT checks that the graph produces these shapes.
            outputs[0] = OrtValue.CreateTensorValueFromMemory(values, [count, rowSize]);
            if (scores is not null)
            {
                outputs[1] = OrtValue.CreateTensorValueFromMemory(scores, [count]);
            }

            graphs.Predict.Run(run.Options, inputs, outputs);
            return new Result(count, rowSize, values, scores);
        }
        catch (OnnxRuntimeException e)
        {
            throw run.Failure(e, BundleNames.PredictEntry, $"prediction of {count} queries",
                $"The bundle's predict graph is corrupt or does not fit its manifest (expected '{BundleNames.Output}' of shape [{count}, {rowSize}]), or the machine ran out of memory for this batch.");
        }
        finally
        {
            foreach (OrtValue? value in inputs.AsSpan(0, 1 + state.Count))
            {
                value?.Dispose();
            }

            foreach (OrtValue? value in outputs)
            {
                value?.Dispose();
            }
        }
    }
}
