using FewShot.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Samples.EdgeAdapter.Images;

namespace FewShot.Samples.Tests.EdgeAdapter;

public sealed class ImageEncoderTests
{
    private static readonly PgmImage Image = new(4, 2, [0, 0, 255, 255, 0, 0, 255, 51]);

    // A [1, 1, 2] input with Omniglot's preprocessing: strokes bright, area averaging, values in [0, 1].
    private static Preprocessor OneByTwo => new(new ManifestInput
    {
        Shape = [1, 1, 2],
        Normalization = new ManifestNormalization { Text = "strokes 1.0, paper 0.0" },
        Preprocessing = ManifestPreprocessing.Omniglot,
    });

    [Fact]
    public void Dark_strokes_become_one_and_paper_zero()
    {
        var encoded = new float[2];

        new ImageEncoder(OneByTwo, StrokeTone.Dark).Encode(Image, encoded);

        // Left block all black: 1.0; right block three white pixels and one of 51 (ink 0.8): 0.2.
        Assert.Equal(1f, encoded[0]);
        Assert.Equal(0.2f, encoded[1], 6);
    }

    [Fact]
    public void Bright_strokes_map_the_other_way()
    {
        var encoded = new float[2];

        new ImageEncoder(OneByTwo, StrokeTone.Bright).Encode(Image, encoded);

        Assert.Equal(0f, encoded[0]);
        Assert.Equal(0.8f, encoded[1], 6);
    }

    [Fact]
    public void The_encoder_takes_its_size_from_the_bundle()
    {
        using var model = FewShotModel.Load(Shapes.ProtoNetBundle);

        ImageEncoder encoder = ImageEncoder.ForModel(model, StrokeTone.Dark);

        Assert.Equal((28, 28, 784), (encoder.Height, encoder.Width, encoder.ExampleSize));
    }
}
