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

            // By default each drawing shows its strokes: the scan and its inversion (light strokes on dark) both give the training data.
            Assert.Equal(trained, preprocessor.Preprocess(scan, 105, 105, PixelFormat.Gray8));
            Assert.Equal(trained, preprocessor.Preprocess([.. scan.Select(v => (byte)(255 - v))], 105, 105, PixelFormat.Gray8));
        }
    }

    [Fact]
    public void StrokeDetection_OnEveryEvaluationDrawing_TellsDarkStrokesFromBright_AlsoOnGrayNoisyPaper()
    {
        // All 13,180 drawings of the 20 evaluation alphabets as scans, inverted, and as a dim noisy photo of the page
        // (paper about 0.45, ink about 0.1, ±12 levels of noise): a threshold at mid-gray would call the photo bright strokes.
        using var npz = NpzReader.Open(Path.Combine(RepoPaths.Omniglot, "images_evaluation.npz"));
        using var stream = npz.OpenEntry("images");
        var header = NpyReader.ReadHeader(stream);
        int drawings = header.Shape[0] * header.Shape[1];
        var drawing = new byte[105 * 105];
        var random = new Random(7);
        var wrong = new List<string>();
        for (int d = 0; d < drawings; d++)
        {
            stream.ReadExactly(drawing);
            byte[] scan = [.. drawing.Select(paper => paper == 0 ? (byte)0 : (byte)255)];
            byte[] inverted = [.. scan.Select(v => (byte)(255 - v))];
            byte[] photo = [.. drawing.Select(paper => (byte)((paper == 0 ? 25 : 115) + random.Next(-12, 13)))];
            foreach ((string what, byte[] pixels, StrokeTone expected) in new[] { ("scan", scan, StrokeTone.Dark), ("inverted", inverted, StrokeTone.Bright), ("photo", photo, StrokeTone.Dark) })
            {
                if (StrokeDetection.Detect(pixels, 105, 105, PixelFormat.Gray8) != expected)
                {
                    wrong.Add($"{what} {d}");
                }
            }
        }

        Assert.Equal(13_180, drawings);
        Assert.Empty(wrong);
    }
}
