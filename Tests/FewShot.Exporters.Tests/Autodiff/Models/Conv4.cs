using FewShot.Exporters.Autodiff;
using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Tests.Autodiff.Models;

/// <summary>
/// The conv4 few-shot backbone as a graph over parameter values: 4 × [3×3 conv (no bias: batch norm follows),
/// batch norm with batch statistics, ReLU, 2×2 max-pool], flatten, linear head. Parameter names follow PyTorch's
/// (conv0.weight, bn0.weight, …, head.weight, head.bias) so that Tests/tools/conv4_reference.py can mirror it.
/// </summary>
internal static class Conv4
{
    public static IReadOnlyList<(string Name, long[] Shape)> Parameters(int channels = 1, int hidden = 64, int ways = 5, int imageSize = 28)
    {
        var parameters = new List<(string, long[])>();
        var size = imageSize;
        for (var i = 0; i < 4; i++)
        {
            parameters.Add(($"conv{i}.weight", [hidden, i == 0 ? channels : hidden, 3, 3]));
            parameters.Add(($"bn{i}.weight", [hidden]));
            parameters.Add(($"bn{i}.bias", [hidden]));
            size /= 2;
        }

        parameters.Add(("head.weight", [ways, hidden * size * size]));
        parameters.Add(("head.bias", [ways]));
        return parameters;
    }

    /// <summary>Appends the forward pass of <paramref name="images"/> [N, C, H, W] and returns the logits [N, ways].</summary>
    public static string Logits(GraphBuilder g, string images, IReadOnlyDictionary<string, string> parameters)
    {
        var x = images;
        for (var i = 0; i < 4; i++)
        {
            x = g.Op("Conv", [x, parameters[$"conv{i}.weight"]], Attr.Ints("kernel_shape", 3, 3), Attr.Ints("pads", 1, 1, 1, 1));
            x = Normalization.BatchNormTraining(g, x, parameters[$"bn{i}.weight"], parameters[$"bn{i}.bias"]);
            x = g.Op("Relu", [x]);
            x = g.Op("MaxPool", [x], Attr.Ints("kernel_shape", 2, 2), Attr.Ints("strides", 2, 2));
        }

        var features = g.Op("Flatten", [x], Attr.Int("axis", 1));
        return g.Op("Gemm", [features, parameters["head.weight"], parameters["head.bias"]], Attr.Int("transB", 1));
    }
}
