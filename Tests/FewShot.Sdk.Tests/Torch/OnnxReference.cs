using FewShot.Exporters.Graphs;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// Runs a compiled <see cref="TaskGraph"/> (the ONNX lowering, with its gradients written by our autodiff) on ONNX
/// Runtime through its official API, feeding parameters by name and a task's arrays; returns every output as floats.
/// The reference side of the TorchSharp parity tests.
/// </summary>
internal static class OnnxReference
{
    public static Dictionary<string, float[]> Run(TaskGraph graph, IReadOnlyList<ParameterSpec> specs, float[][] values, TaskData task, bool taskQueryAsX = false)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxModelFile.ToBytes(graph.Model), options);
        var feeds = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < specs.Count; i++)
            {
                if (graph.Inputs.Contains(specs[i].Name))
                {
                    feeds[specs[i].Name] = OrtValue.CreateTensorValueFromMemory(values[i], specs[i].Shape);
                }
            }

            Feed(feeds, graph, GraphNames.SupportX, task.SupportX, task.SupportShape);
            Feed(feeds, graph, GraphNames.QueryX, task.QueryX, task.QueryShape);
            Feed(feeds, graph, GraphNames.X, taskQueryAsX ? task.QueryX : task.SupportX, taskQueryAsX ? task.QueryShape : task.SupportShape);
            FeedTargets(feeds, graph, GraphNames.SupportY, task.SupportLabels, task.SupportTargets, task.SupportCount);
            FeedTargets(feeds, graph, GraphNames.QueryY, task.QueryLabels, task.QueryTargets, task.QueryCount);

            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, feeds, graph.Outputs);
            var outputs = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (var o = 0; o < graph.Outputs.Count; o++)
            {
                if (results[o].GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
                {
                    outputs[graph.Outputs[o]] = results[o].GetTensorDataAsSpan<float>().ToArray();
                }
            }

            return outputs;
        }
        finally
        {
            foreach (var value in feeds.Values)
            {
                value.Dispose();
            }
        }
    }

    private static void Feed(Dictionary<string, OrtValue> feeds, TaskGraph graph, string name, float[] data, long[] shape)
    {
        if (graph.Inputs.Contains(name))
        {
            feeds[name] = OrtValue.CreateTensorValueFromMemory(data, shape);
        }
    }

    private static void FeedTargets(Dictionary<string, OrtValue> feeds, TaskGraph graph, string name, long[]? labels, float[]? targets, long count)
    {
        if (!graph.Inputs.Contains(name))
        {
            return;
        }

        feeds[name] = labels is not null
            ? OrtValue.CreateTensorValueFromMemory(labels, [count])
            : OrtValue.CreateTensorValueFromMemory(targets!, [count, targets!.Length / count]);
    }
}
