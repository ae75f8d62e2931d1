using FewShot.Exporters.Graphs;

namespace FewShot.Exporters.Tests.Ops;

/// <summary>2-D convolution (strides, pads, dilations, groups) and max pooling.</summary>
public sealed class ConvPoolOpTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(2, 0, 1, 1)]
    [InlineData(1, 2, 2, 1)]
    [InlineData(2, 1, 1, 2)]
    [InlineData(1, 1, 1, 4)]
    public void ConvMatchesTheDirectSum(int stride, int pad, int dilation, int groups)
    {
        var random = new Random((stride * 7) + (pad * 3) + groups);
        var x = Nd.Random(random, 2, 4, 9, 8);
        var w = Nd.Random(random, 8, 4 / groups, 3, 3);
        var b = Nd.Random(random, 8);

        var expected = Reference.Conv2D(x, w, b, stride, pad, dilation, groups);
        var actual = OpHarness.Run("Conv", expected.Shape, (g, i) => g.Op("Conv", [i[0], i[1], i[2]],
            Attr.Ints("strides", stride, stride), Attr.Ints("pads", pad, pad, pad, pad),
            Attr.Ints("dilations", dilation, dilation), Attr.Int("group", groups)), x, w, b);

        OpHarness.AssertClose(expected, actual, 1e-4f);
    }

    [Theory]
    [InlineData(2, 2, 0)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 1, 0)]
    public void MaxPoolTakesTheWindowMaximum(int kernel, int stride, int pad)
    {
        var x = Nd.Random(new Random(kernel + stride), 2, 3, 7, 6);

        var expected = Reference.MaxPool2D(x, kernel, stride, pad);
        var actual = OpHarness.Run("MaxPool", expected.Shape, (g, i) => g.Op("MaxPool", [i[0]],
            Attr.Ints("kernel_shape", kernel, kernel), Attr.Ints("strides", stride, stride), Attr.Ints("pads", pad, pad, pad, pad)), x);

        OpHarness.AssertClose(expected, actual);
    }
}
