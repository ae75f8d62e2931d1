using FewShot.Samples.EdgeAdapter.Images;

namespace FewShot.Samples.Tests.EdgeAdapter;

public sealed class AreaResizeTests
{
    [Fact]
    public void Halving_averages_each_two_by_two_block()
    {
        float[] input =
        [
            0, 2, 4, 8,
            2, 4, 0, 0,
            1, 1, 9, 9,
            1, 1, 9, 1,
        ];

        float[] output = AreaResize.Resize(input, 4, 4, 2, 2);

        Assert.Equal(new float[] { 2, 3, 1, 7 }, output);
    }

    [Fact]
    public void A_non_integer_ratio_weights_partly_covered_pixels_by_the_covered_area()
    {
        // value = 3y + x. Output pixel 0 covers input rows/columns 0 (fully) and 1 (half), so its weights are 2:1
        // and, the image being linear, its area average is the value at the centroid (1/3, 1/3): 4/3.
        float[] input = [0, 1, 2, 3, 4, 5, 6, 7, 8];

        float[] output = AreaResize.Resize(input, 3, 3, 2, 2);

        Assert.Equal(new[] { 4f / 3, 8f / 3, 16f / 3, 20f / 3 }, output, new ToleranceComparer(1e-6f));
    }

    [Fact]
    public void Upscaling_repeats_pixels()
    {
        float[] output = AreaResize.Resize([1, 5], 1, 2, 2, 4);

        Assert.Equal(new float[] { 1, 1, 5, 5, 1, 1, 5, 5 }, output);
    }

    [Fact]
    public void The_mean_is_preserved_from_105_to_28()
    {
        float[] ink = Shapes.Ink("ring", 1, 105);

        float[] output = AreaResize.Resize(ink, 105, 105, 28, 28);

        Assert.Equal(ink.Average(), output.Average(), 5);
        Assert.All(output, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(output, v => v is > 0f and < 1f);
    }

    [Fact]
    public void A_wrong_input_length_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => AreaResize.Resize(new float[5], 2, 3, 1, 1));

        Assert.Contains("a 2×3 image has 6", e.Message);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
