using FewShot.Sdk.Data;
using FewShot.Sdk.Tests.Data;
using SkiaSharp;

namespace FewShot.Sdk.Tests.Data.Images;

public sealed class ImageDecoderTests
{
    [Fact]
    public void GrayPngDecodesEveryValueExactly()
    {
        var samples = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();

        var image = ImageDecoder.Decode(TestImages.Encode(16, 16, 1, samples));
        var tensor = image.ToTensor(ImageColorMode.Grayscale);

        Assert.Equal((16, 16, 1), (image.Width, image.Height, image.Channels));
        Assert.Equal(samples, image.Samples.ToArray());
        Assert.Equal(samples.Select(v => (float)(v * (1.0 / 255))), tensor);
        Assert.Equal(tensor.Concat(tensor).Concat(tensor), image.ToTensor(ImageColorMode.Rgb));
    }

    [Fact]
    public void RgbPngBecomesThreePlanesOrTheLumaOfTheOldDecoder()
    {
        byte[] samples = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 90, 77, 77, 77, 0, 0, 0];

        var image = ImageDecoder.Decode(TestImages.Encode(3, 2, 3, samples));

        Assert.Equal(
            new float[] { 1, 0, 0, 10 / 255f, 77 / 255f, 0, 0, 1, 0, 200 / 255f, 77 / 255f, 0, 0, 0, 1, 90 / 255f, 77 / 255f, 0 },
            image.ToTensor(ImageColorMode.Rgb));
        var gray = image.ToTensor(ImageColorMode.Grayscale);
        Assert.Equal((float)(0.299 * 255 / 255), gray[0]);
        Assert.Equal((float)(((0.299 * 10) + (0.587 * 200) + (0.114 * 90)) / 255), gray[3], 7);
        Assert.Equal(77 / 255f, gray[4]);
    }

    [Fact]
    public void RgbaPngIsCompositedOntoWhitePaper()
    {
        // A transparent red pixel is paper; a half-transparent one is blended: (c·128 + 255·127) / 255, rounded.
        byte[] samples = [255, 0, 51, 0, 20, 40, 60, 128];

        var image = ImageDecoder.Decode(TestImages.Encode(2, 1, 4, samples));

        Assert.Equal([255, 255, 255, 255, 137, 147, 157, 255], image.Samples.ToArray());
        Assert.Equal([1f, 137 / 255f, 1f, 147 / 255f, 1f, 157 / 255f], image.ToTensor(ImageColorMode.Rgb));
    }

    [Fact]
    public void AChalkDrawingOnATransparentBackgroundReadsAsBrightStrokesOnBlack()
    {
        // White strokes on a transparent background stored white: composited onto white, this was a blank image.
        byte[] samples = [.. Enumerable.Range(0, 16).SelectMany(p => new byte[] { 255, 255, 255, (byte)(p % 4 == 1 ? 255 : 0) })];

        float[] gray = ImageDecoder.Decode(TestImages.Encode(4, 4, 4, samples)).ToTensor(ImageColorMode.Grayscale);

        Assert.Equal(Enumerable.Range(0, 16).Select(p => p % 4 == 1 ? 1f : 0f), gray);
    }

    [Fact]
    public void TheDecoderCompositesAsTheRuntimesPreprocessingReadsRgba()
    {
        // Chalk with half-transparent edges: the decoder's pixels are the Runtime's own compositing of the file's pixels.
        byte[] samples = [.. Enumerable.Range(0, 16).SelectMany(p => new byte[] { 240, 250, 255, (byte)(p % 4 == 1 ? 255 : p % 4 == 2 ? 100 : 0) })];
        byte[] expected = [.. samples];
        FewShot.Runtime.Bundles.Transparency.Composite(expected, 4, 4, FewShot.Runtime.Bundles.PixelFormat.Rgba32);

        var image = ImageDecoder.Decode(TestImages.Encode(4, 4, 4, samples));

        Assert.Equal(expected, image.Samples.ToArray());
        Assert.Equal([0, 0, 0, 255], expected[..4]);
    }

    [Fact]
    public void ADrawingOnATransparentBackgroundReadsAsDarkStrokesOnWhite()
    {
        // Black strokes, and a transparent background whose stored color is black too, as drawing apps save it.
        byte[] samples = [.. Enumerable.Range(0, 16).SelectMany(p => new byte[] { 0, 0, 0, (byte)(p % 4 == 1 ? 255 : 0) })];

        float[] gray = ImageDecoder.Decode(TestImages.Encode(4, 4, 4, samples)).ToTensor(ImageColorMode.Grayscale);

        Assert.Equal(Enumerable.Range(0, 16).Select(p => p % 4 == 1 ? 0f : 1f), gray);
    }

    [Fact]
    public void JpegDecodesGrayAndColorCloseToWhatWasWritten()
    {
        var gray = ImageDecoder.Decode(TestImages.Encode(8, 8, 1, Enumerable.Repeat((byte)100, 64).ToArray(), SKEncodedImageFormat.Jpeg));
        var color = ImageDecoder.Decode(TestImages.Encode(8, 8, 3, [.. Enumerable.Repeat<byte[]>([200, 30, 60], 64).SelectMany(p => p)], SKEncodedImageFormat.Jpeg));

        Assert.Equal(1, gray.Channels);
        Assert.All(gray.Samples.ToArray(), v => Assert.InRange(v, 98, 102));
        var planes = color.ToTensor(ImageColorMode.Rgb);
        Assert.InRange(planes[0], 190 / 255f, 210 / 255f);
        Assert.InRange(planes[64], 20 / 255f, 40 / 255f);
        Assert.InRange(planes[128], 50 / 255f, 70 / 255f);
    }

    [Theory]
    [InlineData("a.jpg")]
    [InlineData("b.JPEG")]
    [InlineData("c.Png")]
    public void ImageFilesAreRecognizedInAnyCase(string name) => Assert.True(ImageDecoder.IsImageFile(name));

    [Theory]
    [InlineData("a.png", "PNG")]
    [InlineData("b.JPG", "JPEG")]
    [InlineData("c.jpeg", "JPEG")]
    public void ImageFilesNameTheirFormat(string name, string format) => Assert.Equal(format, ImageDecoder.FormatName(name));

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("archive.png.gz")]
    public void OtherFilesAreNotImages(string name) => Assert.False(ImageDecoder.IsImageFile(name));

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, "truncated.png")]
    [InlineData(SKEncodedImageFormat.Jpeg, "truncated.jpg")]
    public void TruncatedFileIsAnErrorNamingIt(SKEncodedImageFormat format, string name)
    {
        using var temp = new TempDirectory();
        var whole = TestImages.Encode(32, 32, 3, [.. Enumerable.Range(0, 32 * 32 * 3).Select(i => (byte)(i * 7))], format);
        File.WriteAllBytes(temp.File(name), whole[..(whole.Length * 2 / 3)]);

        var error = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(temp.File(name)));

        Assert.Contains(name, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void NonImageFileIsAnErrorNamingIt()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("notes.png"), "this is not a picture");

        var error = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(temp.File("notes.png")));

        Assert.Contains("notes.png", error.Message);
        Assert.Contains("not an image", error.Message);
    }

    [Fact]
    public void EmptyFileIsAnErrorThatSaysSo()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("empty.jpg"), []);

        var error = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(temp.File("empty.jpg")));

        Assert.Contains("empty.jpg", error.Message);
        Assert.Contains("the file is empty", error.Message);
    }
}
