using FewShot.Runtime.Bundles;

namespace FewShot.Runtime.Tests.Bundles.Preprocessing;

public sealed class AreaResizerTests
{
    [Fact]
    public void WeighsPartlyCoveredPixelsByTheCoveredFraction()
    {
        // 3 → 2: output pixel 0 covers input [0, 1.5) on each axis, so weights 1 and 0.5 (and 0.5, 1 for pixel 1).
        float[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var output = new float[4];

        new AreaResizer(3, 3, 2, 2).Resize(input, output);

        float[] expected =
        [
            (float)(((1 * 1) + (0.5 * 2) + (0.5 * 4) + (0.25 * 5)) / 2.25),
            (float)(((0.5 * 2) + (1 * 3) + (0.25 * 5) + (0.5 * 6)) / 2.25),
            (float)(((0.5 * 4) + (0.25 * 5) + (1 * 7) + (0.5 * 8)) / 2.25),
            (float)(((0.25 * 5) + (0.5 * 6) + (0.5 * 8) + (1 * 9)) / 2.25),
        ];
        Assert.Equal(expected, output);
    }

    [Fact]
    public void IsExactFor105To28OnBinaryImages()
    {
        // Brute force in doubles: output pixel o covers [3.75·o, 3.75·(o+1)); overlaps are multiples of 0.25.
        var random = new Random(7);
        float[] input = [.. Enumerable.Range(0, 105 * 105).Select(_ => (float)random.Next(2))];
        var output = new float[28 * 28];

        new AreaResizer(105, 105, 28, 28).Resize(input, output);

        for (int oy = 0; oy < 28; oy++)
        {
            for (int ox = 0; ox < 28; ox++)
            {
                double sum = 0;
                for (int y = 0; y < 105; y++)
                {
                    for (int x = 0; x < 105; x++)
                    {
                        sum += Overlap(oy * 3.75, (oy + 1) * 3.75, y) * Overlap(ox * 3.75, (ox + 1) * 3.75, x) * input[(y * 105) + x];
                    }
                }

                Assert.Equal((float)(sum / (3.75 * 3.75)), output[(oy * 28) + ox]);
            }
        }
    }

    [Theory]
    [InlineData(4, 4, 2, 2)]
    [InlineData(7, 5, 3, 4)]
    [InlineData(2, 3, 5, 7)]
    [InlineData(1, 1, 3, 3)]
    public void PreservesConstantsAndTheMean(int inputHeight, int inputWidth, int outputHeight, int outputWidth)
    {
        var random = new Random(inputHeight * 100 + outputWidth);
        float[] constant = Enumerable.Repeat(0.37f, inputHeight * inputWidth).ToArray();
        float[] noise = [.. Enumerable.Range(0, inputHeight * inputWidth).Select(_ => random.NextSingle())];
        var resizer = new AreaResizer(inputHeight, inputWidth, outputHeight, outputWidth);
        var output = new float[outputHeight * outputWidth];

        resizer.Resize(constant, output);
        Assert.All(output, v => Assert.Equal(0.37f, v, 6));

        resizer.Resize(noise, output);
        Assert.Equal(noise.Average(), output.Average(), 5);
    }

    [Fact]
    public void IntegerFactorsAreBlockMeansAndUpsamplingRepeats()
    {
        var down = new float[4];
        var up = new float[16];

        new AreaResizer(4, 4, 2, 2).Resize([1, 3, 0, 0, 5, 7, 0, 4, 1, 1, 2, 2, 1, 1, 2, 2], down);
        new AreaResizer(2, 2, 4, 4).Resize([1, 2, 3, 4], up);

        Assert.Equal([4f, 1f, 1f, 2f], down);
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], up);
    }

    [Fact]
    public void ChecksSpanLengths()
    {
        var resizer = new AreaResizer(3, 3, 2, 2);

        Assert.Contains("expected 3×3", Assert.Throws<ArgumentException>(() => resizer.Resize(new float[8], new float[4])).Message);
        Assert.Contains("expected 2×2", Assert.Throws<ArgumentException>(() => resizer.Resize(new float[9], new float[3])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AreaResizer(0, 3, 2, 2));
    }

    private static double Overlap(double from, double to, int pixel) => Math.Max(0, Math.Min(to, pixel + 1) - Math.Max(from, pixel));
}
