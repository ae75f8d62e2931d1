using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using FewShot.Bundles;
using FewShot.Runtime.Sessions;

namespace FewShot.Runtime.Bundles;

/// <summary>
/// Runs predict.onnx for an adapted model's state, in chunks of at most <paramref name="maxBatch"/> queries so that memory
/// stays bounded. Stateless between calls, so any number of threads may predict at once.
/// </summary>
internal sealed class Predictor(BundleGraphs graphs, ModelManifest manifest, int exampleSize, int maxBatch, bool releaseMemory)
{
    /// <summary>The raw outputs of one prediction.</summary>
    /// <param name="Count">Query examples n.</param>
    /// <param name="RowSize">Values per example in <paramref name="Values"/>.</param>
    /// <param name="Values">"output", [n, RowSize] row-major.</param>
    /// <param name="Scores">"score" [n] for reconstruction bundles, else null.</param>
    internal sealed record Result(int Count, int RowSize, float[] Values, float[]? Scores);

    /// <exception cref="ArgumentException">The queries are empty, not whole examples, or not finite.</exception>
    /// <exception cref="GraphRunException">ONNX Runtime failed a run, e.g. predict.onnx returned outputs of another shape than the manifest's.</exception>
    /// <exception cref="NonFiniteResultException">An output holds NaN or infinity.</exception>
    public Result Run(AdaptedModel adapted, ReadOnlyMemory<float> queries, CancellationToken cancellationToken)
    {
        int count = InputChecks.CountExamples(queries.Span, manifest.Input.Shape, exampleSize, manifest.Input.Preprocessing, "query inputs", "queryInputs");
        int chunk = Math.Min(count, maxBatch);
        InputChecks.RequireBatch(graphs.PredictInput, chunk, BundleNames.PredictEntry, "query examples", "queryInputs");
        int rowSize = manifest.Output.Kind == OutputKind.Embedding ? adapted.Labels.Count : manifest.Output.Size;
        var values = new float[checked(count * rowSize)];
        float[]? scores = graphs.Predict.Outputs.Length > 1 ? new float[count] : null;

        using var run = new GraphRun(cancellationToken, releaseMemory);
        AdaptedTensor[] state = [.. graphs.PredictState.Select(i => adapted.Tensors[i])];
        // θ₀ of the parameters not adapted comes last; those values are the graphs', so only the ones created here are disposed.
        var inputs = new OrtValue[1 + state.Length + graphs.PredictConstants.Length];
        graphs.PredictConstants.CopyTo(inputs, 1 + state.Length);
        var outputs = new OrtValue[graphs.Predict.Outputs.Length];
        try
        {
            for (int i = 0; i < state.Length; i++)
            {
                inputs[i + 1] = OrtValue.CreateTensorValueFromMemory(state[i].Data, state[i].Dimensions);
            }

            // In shares side by side (RuntimeOptions.PredictionShares; only where a query's output does not depend on its
            // batch): each share its own query slot and outputs, the state tensors read by all.
            int shares = graphs.PredictInput.Dimensions is [< 0, ..] ? Shares.For(count, graphs.PredictionShares) : 1;
            (int Start, int Length)[] ranges = Shares.Ranges(count, shares);
            if (shares == 1)
            {
                Chunks(0, count, inputs, outputs, lastRun: true);
            }
            else
            {
                using var sideBySide = new SideBySideRunner(shares, h => Chunks(ranges[h].Start, ranges[h].Length, [.. inputs], new OrtValue[outputs.Length], lastRun: false));
                sideBySide.Run();
            }
        }
        finally
        {
            foreach (OrtValue? value in inputs.AsSpan(0, 1 + state.Length))
            {
                value?.Dispose();
            }
        }

        if (!InputChecks.AllFinite(values) || (scores is not null && !InputChecks.AllFinite(scores)))
        {
            throw new NonFiniteResultException("prediction",
                $"{BundleNames.PredictEntry} produced NaN or infinity for {Counted.Of(count, "query", "queries")}: the inputs are probably far outside the range the model was trained on "
                + "(see the manifest's input.normalization), or the bundle's predict graph is damaged. No prediction is returned.");
        }

        return new Result(count, rowSize, values, scores);

        // Queries [first, first + length) in chunks of at most `chunk`.
        void Chunks(int first, int length, OrtValue[] chunkInputs, OrtValue[] chunkOutputs, bool lastRun)
        {
            for (int start = first; start < first + length; start += chunk)
            {
                run.ThrowIfCancelled();
                int n = Math.Min(chunk, first + length - start);
                RunChunk(run, queries.Slice(start * exampleSize, n * exampleSize), values.AsMemory(start * rowSize, n * rowSize),
                    scores?.AsMemory(start, n), n, rowSize, chunkInputs, chunkOutputs, last: lastRun && start + n == first + length);
            }
        }
    }

    private void RunChunk(
        GraphRun run, ReadOnlyMemory<float> queries, Memory<float> values, Memory<float>? scores, int n, int rowSize, OrtValue[] inputs, OrtValue[] outputs, bool last)
    {
        try
        {
            inputs[0] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(queries), [n, .. manifest.Input.Shape]);

            // Outputs are written straight into the result's arrays: ORT checks that the graph produces these shapes.
            outputs[0] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values, [n, rowSize]);
            if (scores is { } score)
            {
                outputs[1] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, score, [n]);
            }

            graphs.Predict.Run(last ? run.FinalOptions : run.Options, inputs, outputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw run.Failure(e, BundleNames.PredictEntry, $"prediction of {Counted.Of(n, "query", "queries")}",
                $"The bundle's predict graph is corrupt or does not fit its manifest (expected '{BundleNames.Output}' of shape [{n}, {rowSize}]), or the machine ran out of memory for this batch.");
        }
        finally
        {
            inputs[0]?.Dispose();
            inputs[0] = null!;
            foreach (OrtValue? value in outputs)
            {
                value?.Dispose();
            }

            Array.Clear(outputs);
        }
    }
}
