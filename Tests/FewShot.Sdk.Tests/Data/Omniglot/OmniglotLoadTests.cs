using FewShot.Tests.Shared;
using FewShot.Sdk.Data;
using OmniglotData = FewShot.Sdk.Data.Omniglot;

namespace FewShot.Sdk.Tests.Data.Omniglot;

public sealed class OmniglotLoadTests
{
    private static InMemoryDataset Characters => OmniglotData.LoadCharacters(RepoPaths.Omniglot);

    [Fact]
    public void LoadsAllCharactersAsOneChannel28x28Images()
    {
        var characters = Characters;

        Assert.Equal(1623, characters.ClassCount);
        Assert.Equal([1, 28, 28], characters.ExampleShape);
        Assert.All(Enumerable.Range(0, 1623), c => Assert.Equal(20, characters.GetExampleCount(c)));
        Assert.Equal("0001", characters.GetClassName(0));
        Assert.Equal("0965", characters.GetClassName(964));
        Assert.Equal("1623", characters.GetClassName(1622));
    }

    [Fact]
    public void EveryDrawingHasInkAndPaperWithinZeroToOne()
    {
        var characters = Characters;
        var image = new float[28 * 28];
        for (int c = 0; c < characters.ClassCount; c++)
        {
            for (int d = 0; d < 20; d++)
            {
                characters.CopyExample(c, d, image);
                float min = image.Min(), max = image.Max();

                Assert.True(min >= 0f && max <= 1f, $"character {c} drawing {d} has values in [{min}, {max}]");
                Assert.True(max > 0f, $"character {c} drawing {d} has no ink");
                Assert.True(min == 0f, $"character {c} drawing {d} has no blank pixel");
            }
        }
    }

    [Fact]
    public void DownsamplingIsTheExactAreaAverageOfTheInk()
    {
        // Brute force from the raw bool bytes of the first and the last character of each archive.
        var characters = Characters;
        CheckAgainstRawBytes(characters, "images_background.npz", [0, 963], classOffset: 0);
        CheckAgainstRawBytes(characters, "images_evaluation.npz", [0, 658], classOffset: 964);
    }

    [Fact]
    public void LoadsAreCachedPerFolderAndSize()
    {
        Assert.Same(Characters, OmniglotData.LoadCharacters(RepoPaths.Omniglot + Path.DirectorySeparatorChar));
    }

    [Fact]
    public void AMissingFolderNamesTheMissingArchive()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-omniglot-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<FileNotFoundException>(() => OmniglotData.LoadCharacters(missing));

        Assert.Contains("images_background.npz", error.Message);
    }

    private static void CheckAgainstRawBytes(InMemoryDataset characters, string file, int[] localCharacters, int classOffset)
    {
        using var npz = NpzReader.Open(Path.Combine(RepoPaths.Omniglot, file));
        using var stream = npz.OpenEntry("images");
        NpyReader.ReadHeader(stream);
        var drawing = new byte[105 * 105];
        var loaded = new float[28 * 28];
        int position = 0;
        foreach (int local in localCharacters)
        {
            // The entry stream cannot seek: skip forward by reading.
            for (; position < local * 20; position++)
            {
                stream.ReadExactly(drawing);
            }

            for (int d = 0; d < 20; d++, position++)
            {
                stream.ReadExactly(drawing);
                characters.CopyExample(classOffset + local, d, loaded);
                for (int oy = 0; oy < 28; oy++)
                {
                    for (int ox = 0; ox < 28; ox++)
                    {
                        double ink = 0;
                        for (int y = (int)(oy * 3.75); y < Math.Ceiling((oy + 1) * 3.75); y++)
                        {
                            for (int x = (int)(ox * 3.75); x < Math.Ceiling((ox + 1) * 3.75); x++)
                            {
                                double weight = Overlap(oy, y) * Overlap(ox, x);
                                ink += drawing[(y * 105) + x] == 0 ? weight : 0;
                            }
                        }

                        Assert.Equal((float)(ink / (3.75 * 3.75)), loaded[(oy * 28) + ox]);
                    }
                }
            }
        }
    }

    private static double Overlap(int output, int pixel) =>
        Math.Max(0, Math.Min((output + 1) * 3.75, pixel + 1) - Math.Max(output * 3.75, pixel));
}
