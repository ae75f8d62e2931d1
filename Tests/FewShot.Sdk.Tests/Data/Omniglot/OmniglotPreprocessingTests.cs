using FewShot.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Sdk.Data;
using FewShot.Tests.Shared;
using OmniglotData = FewShot.Sdk.Data.Omniglot;

namespace FewShot.Sdk.Tests.Data.Omniglot;

public sealed class OmniglotPreprocessingTests
{
    [Fact]
    public void TheRuntimesPreprocessor_OnADrawingAsAnImage_EqualsTheTrainingDataExactly()
    {
        // The first drawings of character 0 as an app would hold them: 8-bit gray scans, dark ink (0) on white paper (255).
        InMemoryDataset characters = OmniglotData.LoadCharacters(RepoPaths.Omniglot);
        var preprocessor = new Preprocessor(new ManifestInput
        {
            Shape = [1, 28, 28],
            Normalization = new ManifestNormalization { Text = "Omniglot" },
            Preprocessing = ManifestPreprocessing.Omniglot,
        });
        using var npz = NpzReader.Open(Path.Combine(RepoPaths.Omniglot, "images_background.npz"));
        using var stream = npz.OpenEntry("images");
        NpyReader.ReadHeader(stream);
        var drawing = new byte[105 * 105];
        var trained = new float[28 * 28];
        for (int d = 0; d < 3; d++)
        {
            stream.ReadExactly(drawing);
            byte[] scan = [.. drawing.Select(paper => paper == 0 ? (byte)0 : (byte)255)];

            float[] onDevice = preprocessor.Preprocess(scan, 105, 105, PixelFormat.Gray8, StrokeTone.Dark);

            characters.CopyExample(0, d, trained);
            Assert.Equal(trained, onDevice);
            Assert.Contains(onDevice, v => v is > 0f and < 1f);
        }
    }
}
