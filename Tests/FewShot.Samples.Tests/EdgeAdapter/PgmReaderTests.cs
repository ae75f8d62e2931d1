using System.Text;
using FewShot.Samples.EdgeAdapter.Images;

namespace FewShot.Samples.Tests.EdgeAdapter;

public sealed class PgmReaderTests
{
    [Fact]
    public void Parse_reads_size_and_pixels_and_skips_comments()
    {
        byte[] data = [.. Encoding.ASCII.GetBytes("P5 # from the line camera\n3\t2\r\n# max\n255\n"), 0, 10, 20, 30, 40, 255];

        PgmImage image = PgmReader.Parse(data);

        Assert.Equal(3, image.Width);
        Assert.Equal(2, image.Height);
        Assert.Equal(new byte[] { 0, 10, 20, 30, 40, 255 }, image.Pixels.ToArray());
    }

    [Fact]
    public void Pixels_may_start_with_a_whitespace_byte_value()
    {
        // The single whitespace after maxval ends the header; a pixel of value 10 ('\n') right after it is data.
        PgmImage image = PgmReader.Parse(Shapes.PgmFile(2, 1, [10, 32]));

        Assert.Equal(new byte[] { 10, 32 }, image.Pixels.ToArray());
    }

    [Theory]
    [InlineData("P2\n2 1\n255\n0 0\n", "'P2'")]
    [InlineData("P6\n1 1\n255\nabc", "'P6'")]
    [InlineData("GIF89a", "'GI'")]
    [InlineData("P", "it starts with 1 byte,")]
    public void Parse_rejects_a_bad_magic_number(string text, string named)
    {
        var e = Assert.Throws<InvalidDataException>(() => PgmReader.Parse(Encoding.ASCII.GetBytes(text)));

        Assert.Contains("magic number 'P5'", e.Message);
        Assert.Contains(named, e.Message);
    }

    [Theory]
    [InlineData("P5\n2\n", "ends before its height")]
    [InlineData("P5\nx 1\n255\n", "width as a decimal number")]
    [InlineData("P52 1\n255\n", "width as a decimal number")]
    [InlineData("P5\n2 -1\n255\n", "height as a decimal number")]
    [InlineData("P5\n0 1\n255\n", "0×1 image")]
    [InlineData("P5\n2 1\n255", "one whitespace byte after maxval")]
    [InlineData("P5\n2 1\n255x\0\0", "one whitespace byte after maxval")]
    [InlineData("P5\n99999999999 1\n255\n", "width is too large")]
    public void Parse_rejects_a_bad_header(string text, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => PgmReader.Parse(Encoding.ASCII.GetBytes(text)));

        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData("65535")]
    [InlineData("100")]
    [InlineData("0")]
    public void Parse_rejects_a_maxval_other_than_255(string maxValue)
    {
        var e = Assert.Throws<InvalidDataException>(() => PgmReader.Parse(Shapes.PgmFile(2, 1, [1, 2], maxValue)));

        Assert.Contains($"maxval is {maxValue}", e.Message);
    }

    [Fact]
    public void Parse_rejects_truncated_pixel_data()
    {
        byte[] data = Shapes.PgmFile(4, 3, new byte[12])[..^5];

        var e = Assert.Throws<InvalidDataException>(() => PgmReader.Parse(data));

        Assert.Contains("truncated", e.Message);
        Assert.Contains("needs 12 bytes after the header, but 7 are there", e.Message);
    }

    [Fact]
    public void Parse_counts_one_pixel_byte_in_the_singular()
    {
        byte[] data = Shapes.PgmFile(1, 1, new byte[1])[..^1];

        var e = Assert.Throws<InvalidDataException>(() => PgmReader.Parse(data));

        Assert.Contains("a 1×1 image needs 1 byte after the header, but 0 are there", e.Message);
    }

    [Fact]
    public void Parse_rejects_trailing_data()
    {
        var e = Assert.Throws<InvalidDataException>(() => PgmReader.Parse([.. Shapes.PgmFile(2, 2, new byte[4]), 7]));

        Assert.Contains("extra data", e.Message);
    }

    [Fact]
    public void Read_names_the_file_at_fault()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("frame.pgm");
        File.WriteAllBytes(path, Shapes.PgmFile(2, 2, new byte[3]));

        var e = Assert.Throws<InvalidDataException>(() => PgmReader.Read(path));

        Assert.StartsWith($"'{path}': ", e.Message);
        Assert.Contains("truncated", e.Message);
    }
}
