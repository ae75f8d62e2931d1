using static FewShot.Samples.Tests.EdgeAdapter.EdgeRun;

namespace FewShot.Samples.Tests.EdgeAdapter;

/// <summary>
/// fewshot-edge classifies one image at a time as a device does: with an inductive bundle (the shipped ones, and a MAML bundle normalized by
/// its support set's statistics), each image classified alone
/// gets the label and probability it gets in a batch, and the right label; with a transductive one it says so.
/// </summary>
public sealed class SingleImageTests : IDisposable
{
    private const int Side = 105;
    private static readonly string[] Classes = ["bar", "pole", "ring"];
    private readonly TempFolder _folder = new();

    public SingleImageTests()
    {
        foreach (string kind in Classes)
        {
            Directory.CreateDirectory(_folder.Combine("support", kind));
            for (int variant = 0; variant < 3; variant++)
            {
                File.WriteAllBytes(_folder.Combine("support", kind, $"{variant}.pgm"), Shapes.Pgm(kind, variant, Side));
            }

            File.WriteAllBytes(_folder.Combine($"{kind}-4.pgm"), Shapes.Pgm(kind, 4, Side));
            File.WriteAllBytes(_folder.Combine($"{kind}-5.pgm"), Shapes.Pgm(kind, 5, Side));
        }
    }

    private string StatePath => _folder.Combine("device.state");

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> InductiveBundles => [Shapes.ProtoNetBundle, Shapes.SupportStatisticsBundle];

    [Theory]
    [MemberData(nameof(InductiveBundles))]
    public async Task Each_image_alone_gets_the_batchs_answer_and_the_right_label(string bundle)
    {
        (int learned, _, string learnError) = await Run("learn", "--model", bundle, "--support", _folder.Combine("support"), "--state", StatePath, "--threads", "1");
        Assert.True(learned == 0, learnError);
        string[] images = [.. Classes.SelectMany(kind => new[] { _folder.Combine($"{kind}-4.pgm"), _folder.Combine($"{kind}-5.pgm") })];

        (int code, string batch, string batchError) = await Run(["classify", "--model", bundle, "--state", StatePath, "--threads", "1", .. images]);
        Assert.True(code == 0, batchError);
        Assert.Empty(batchError);
        string[] batchLines = Lines(batch);
        Assert.Equal(images.Length, batchLines.Length);

        for (int i = 0; i < images.Length; i++)
        {
            (int alone, string single, string singleError) = await Run("classify", "--model", bundle, "--state", StatePath, "--threads", "1", images[i]);

            Assert.True(alone == 0, singleError);
            Assert.Equal(batchLines[i], Assert.Single(Lines(single)));
            Assert.StartsWith(Path.GetFileNameWithoutExtension(images[i]).Split('-')[0], batchLines[i].Split('\t')[1]);
        }
    }

    [Fact]
    public async Task A_transductive_bundle_says_that_an_images_answer_depends_on_the_others()
    {
        (int learned, _, string learnError) = await Run("learn", "--model", Shapes.TransductiveBundle, "--support", _folder.Combine("support"), "--state", StatePath, "--threads", "1");
        Assert.True(learned == 0, learnError);

        (int code, _, string error) = await Run("classify", "--model", Shapes.TransductiveBundle, "--state", StatePath, "--threads", "1", _folder.Combine("ring-4.pgm"));

        Assert.Equal(0, code);
        Assert.Contains("transductive batch norm", error);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
