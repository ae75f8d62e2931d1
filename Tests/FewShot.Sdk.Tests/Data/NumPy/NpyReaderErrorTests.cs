using FewShot.Sdk.Data;

namespace FewShot.Sdk.Tests.Data.NumPy;

public sealed class NpyReaderErrorTests
{
    private static InvalidDataException Fails(byte[] bytes) =>
        Assert.Throws<InvalidDataException>(() => NpyReader.Read(new MemoryStream(bytes)));

    [Fact]
    public void RejectsBadMagic()
    {
        var error = Fails([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Z', 1, 0, .. new byte[20]]);

        Assert.Contains("bad magic", error.Message);
    }

    [Fact]
    public void PointsZipArchivesToTheNpzReader()
    {
        var error = Fails([.. "PK\x03\x04"u8, .. new byte[20]]);

        Assert.Contains("NpzReader", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(9)]
    public void RejectsFilesTooShortForThePreamble(int length)
    {
        byte[] file = NpyBytes.Build(NpyBytes.Dict("<f4", "(1,)"), NpyBytes.LittleEndianFloats(1));

        var error = Fails(file[..length]);

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void RejectsUnknownVersions()
    {
        byte[] file = NpyBytes.Build(NpyBytes.Dict("<f4", "(1,)"), NpyBytes.LittleEndianFloats(1));
        file[6] = 4;

        Assert.Contains("version 4.0", Fails(file).Message);
    }

    [Fact]
    public void RejectsFortranOrder()
    {
        var error = Fails(NpyBytes.Build(NpyBytes.Dict("<f4", "(2, 2)", fortran: "True"), new byte[16]));

        Assert.Contains("Fortran", error.Message);
    }

    [Theory]
    [InlineData("<c16")]
    [InlineData("|O")]
    [InlineData("<U5")]
    [InlineData("<f2")]
    [InlineData("|i4")]
    [InlineData("<i2")]
    public void RejectsUnsupportedDTypesByName(string descr)
    {
        var error = Fails(NpyBytes.Build(NpyBytes.Dict(descr, "(1,)"), new byte[16]));

        Assert.Contains($"unsupported npy dtype '{descr}'", error.Message);
    }

    [Fact]
    public void RejectsStructuredDTypes()
    {
        var error = Fails(NpyBytes.Build("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", new byte[4]));

        Assert.Contains("structured", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RejectsTruncatedData(bool seekable)
    {
        byte[] file = NpyBytes.Build(NpyBytes.Dict("<f4", "(2, 3)"), NpyBytes.LittleEndianFloats(1, 2, 3, 4, 5));
        Stream stream = seekable ? new MemoryStream(file) : new ForwardOnlyStream(file);

        var error = Assert.Throws<InvalidDataException>(() => NpyReader.Read(stream));

        Assert.Contains("truncated", error.Message);
        Assert.Contains("needs 24 data bytes", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void HostileShapeIsRefusedWithoutAllocatingWhatItClaims(bool seekable)
    {
        // The header claims 8 GB of float64 (just under the element limit); the file holds 16 bytes.
        byte[] file = NpyBytes.Build(NpyBytes.Dict("<f8", "(1000000000,)"), new byte[16]);
        Stream stream = seekable ? new MemoryStream(file) : new ForwardOnlyStream(file);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InvalidDataException>(() => NpyReader.Read(stream));

        Assert.Contains("truncated", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the reader allocated for data it did not have");
    }

    [Theory]
    [InlineData("(1000000, 1000000)", "more than the")]
    [InlineData("(3000000000,)", "more than the")]
    [InlineData("(2, -3)", "negative dimension -3")]
    [InlineData("(99999999999999999999,)", "overflows")]
    public void RejectsImpossibleShapes(string shape, string expected)
    {
        var error = Fails(NpyBytes.Build(NpyBytes.Dict("<f4", shape), new byte[16]));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void RejectsMoreAxesThanNumPyAllows()
    {
        string shape = "(" + string.Join(", ", Enumerable.Repeat(1, 65)) + ")";

        Assert.Contains("axes", Fails(NpyBytes.Build(NpyBytes.Dict("<f4", shape), new byte[4])).Message);
    }

    [Fact]
    public void RejectsOversizedHeaders()
    {
        var error = Fails(NpyBytes.Build(NpyBytes.Dict("<f4", "(1,)"), new byte[4], major: 2, claimedHeaderLength: 1L << 31));

        Assert.Contains("more than the 65536 allowed", error.Message);
    }

    [Fact]
    public void RejectsHeadersLongerThanTheFile()
    {
        var error = Fails(NpyBytes.Build(NpyBytes.Dict("<f4", "(1,)"), [], claimedHeaderLength: 5000));

        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), ", "expected")]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "no 'shape' key")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "value of 'extra'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 'x'}", "unexpected key 'extra'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1)}", "not a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': 'big'}", "'shape' has the wrong type")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", "value of 'fortran_order'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1, x)}", "expected an integer")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", "appears twice")]
    [InlineData("{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", "malformed")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", "after the closing")]
    [InlineData("['descr', '<f4']", "expected '{'")]
    [InlineData("", "expected '{'")]
    public void RejectsMalformedHeadersSayingWhatIsWrong(string dict, string expected)
    {
        var error = Fails(NpyBytes.Build(dict, new byte[4]));

        Assert.Contains(expected, error.Message);
    }
}
