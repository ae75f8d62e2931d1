using FewShot.Runtime.Bundles;
using FewShot.Samples.EdgeAdapter;
using FewShot.Samples.EdgeAdapter.Images;
using FewShot.Tests.Shared;
using static FewShot.Samples.Tests.EdgeAdapter.EdgeRun;
// The web service sample declares a global Program too.
using EdgeProgram = FewShot.Samples.EdgeAdapter.Program;

namespace FewShot.Samples.Tests.EdgeAdapter;

/// <summary>The edge adapter end to end, in process: learn from PGM files, save, restart, classify, and fail cleanly.</summary>
public sealed class EdgeAdapterTests : IDisposable
{
    private const int Side = 105;
    private static readonly string[] Classes = ["bar", "pole", "ring"];
    private readonly TempFolder _folder = new();

    public EdgeAdapterTests()
    {
        foreach (string kind in Classes)
        {
            Directory.CreateDirectory(_folder.Combine("support", kind));
            for (int variant = 0; variant < 3; variant++)
            {
                File.WriteAllBytes(_folder.Combine("support", kind, $"{variant}.pgm"), Shapes.Pgm(kind, variant, Side));
            }

            // Unseen variants (another shift and width combination) to classify.
            Directory.CreateDirectory(_folder.Combine("query"));
            File.WriteAllBytes(_folder.Combine("query", $"{kind}.pgm"), Shapes.Pgm(kind, 4, Side));
        }
    }

    private string StatePath => _folder.Combine("device.state");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Learns_saves_and_after_a_restart_classifies_support_and_unseen_images()
    {
        (int learned, string learnOutput, _) = await Run("learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", StatePath, "--threads", "1");

        Assert.Equal(0, learned);
        Assert.Contains("learned 3 classes (bar, pole, ring)", learnOutput);
        Assert.True(File.Exists(StatePath));
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp"));

        // Each run loads the bundle afresh, as after a restart of the device: only the state file carries over.
        string[] support = [.. Classes.SelectMany(kind => Enumerable.Range(0, 3).Select(v => _folder.Combine("support", kind, $"{v}.pgm")))];
        string[] queries = [.. Classes.Select(kind => _folder.Combine("query", $"{kind}.pgm"))];
        foreach (string[] images in new[] { support, queries })
        {
            (int classified, string output, string error) = await Run(["classify", "--model", Shapes.ProtoNetBundle, "--state", StatePath, .. images]);

            Assert.True(classified == 0, error);
            string[][] lines = [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t'))];
            Assert.Equal(images.Length, lines.Length);
            for (int i = 0; i < images.Length; i++)
            {
                Assert.Equal(images[i], lines[i][0]);
                Assert.Equal(ClassOf(images[i]), lines[i][1]);
                Assert.InRange(double.Parse(lines[i][2], System.Globalization.CultureInfo.InvariantCulture), 1.0 / 3, 1.0);
            }
        }
    }

    [Fact]
    public async Task Learning_one_class_says_so_in_the_singular()
    {
        string support = _folder.Combine("one-class");
        Directory.CreateDirectory(Path.Combine(support, "ring"));
        File.WriteAllBytes(Path.Combine(support, "ring", "0.pgm"), Shapes.Pgm("ring", 0, Side));

        (int learned, string output, string error) = await Run("learn", "--model", Shapes.ProtoNetBundle, "--support", support, "--state", StatePath, "--threads", "1");

        Assert.True(learned == 0, error);
        Assert.Contains("learned 1 class (ring)", output);
    }

    [Fact]
    public async Task The_library_classes_give_the_same_labels_with_a_new_model_instance()
    {
        AdaptedModel adapted;
        using (FewShotModel model = FewShotModel.Load(Shapes.ProtoNetBundle))
        {
            adapted = await Learner.LearnAsync(model, _folder.Combine("support"), StatePath, StrokeTone.Dark);
        }

        Assert.Equal(Classes, adapted.Labels);
        using FewShotModel restarted = FewShotModel.Load(Shapes.ProtoNetBundle);
        string[] queries = [.. Classes.Select(kind => _folder.Combine("query", $"{kind}.pgm"))];

        IReadOnlyList<Prediction> predictions = await Classifier.ClassifyAsync(restarted, StatePath, queries, StrokeTone.Dark);

        Assert.Equal(Classes, predictions.Select(p => p.Label));
        Assert.All(predictions, p => Assert.Equal(1f, p.Probabilities.Sum(), 4));
    }

    [Fact]
    public async Task Bright_strokes_are_read_by_default_and_with_the_bright_option()
    {
        foreach (string kind in Classes)
        {
            File.WriteAllBytes(_folder.Combine("query", $"{kind}-bright.pgm"), Shapes.Pgm(kind, 4, Side, bright: true));
        }

        await Run("learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", StatePath);
        foreach (string[] strokes in new[] { new[] { "--strokes", "bright" }, [] })
        {
            (int code, string output, _) = await Run(["classify", "--model", Shapes.ProtoNetBundle, "--state", StatePath, .. strokes,
                .. Classes.Select(kind => _folder.Combine("query", $"{kind}-bright.pgm"))]);

            Assert.Equal(0, code);
            Assert.Equal(Classes, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')[1]));
        }
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    [InlineData("garbage")]
    public async Task A_corrupt_state_fails_with_a_clear_message(string damage)
    {
        await Run("learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", StatePath);
        byte[] state = File.ReadAllBytes(StatePath);
        byte[] damaged = damage switch
        {
            "flip" => Flip(state, state.Length / 2),
            "truncate" => state[..(state.Length / 2)],
            _ => "not a state file"u8.ToArray(),
        };
        File.WriteAllBytes(StatePath, damaged);

        (int code, string output, string error) = await Run("classify", "--model", Shapes.ProtoNetBundle, "--state", StatePath, _folder.Combine("query", "bar.pgm"));

        Assert.Equal(EdgeProgram.Failed, code);
        Assert.Empty(output);
        Assert.Contains($"the adapted state '{StatePath}' cannot be used", error);
        Assert.Contains(damage == "garbage" ? "not a FewShot adapted state" : "corrupted or truncated", error);
    }

    [Fact]
    public async Task A_state_learned_with_another_bundle_is_refused()
    {
        await Run("learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", StatePath);

        (int code, _, string error) = await Run("classify", "--model", Shapes.MamlBundle, "--state", StatePath, _folder.Combine("query", "bar.pgm"));

        Assert.Equal(EdgeProgram.Failed, code);
        Assert.Contains("load it with the bundle it was adapted from", error);
    }

    [Fact]
    public async Task A_missing_state_says_to_learn_first()
    {
        (int code, _, string error) = await Run("classify", "--model", Shapes.ProtoNetBundle, "--state", StatePath, _folder.Combine("query", "bar.pgm"));

        Assert.Equal(EdgeProgram.Failed, code);
        Assert.Contains($"There is no adapted state at '{StatePath}'; run 'learn' first.", error);
    }

    [Fact]
    public async Task A_bad_support_image_is_named_and_no_state_is_written()
    {
        string bad = _folder.Combine("support", "ring", "9.pgm");
        File.WriteAllBytes(bad, Shapes.PgmFile(Side, Side, new byte[10]));

        (int code, _, string error) = await Run("learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", StatePath);

        Assert.Equal(EdgeProgram.Failed, code);
        Assert.Contains($"'{bad}'", error);
        Assert.Contains("truncated", error);
        Assert.False(File.Exists(StatePath));
    }

    [Fact]
    public async Task A_stroke_tone_for_a_bundle_of_images_taken_as_they_are_is_refused()
    {
        // A bundle trained on class folders' images (bright = background): before, --strokes bright turned every image round.
        string bundle = _folder.Combine("photos.fewshot");
        BundleManifests.CopyWithReplaced(Shapes.ProtoNetBundle, bundle, "\"bright\": \"strokes\"", "\"bright\": \"background\"");

        (int refused, _, string error) = await Run("learn", "--model", bundle, "--support", _folder.Combine("support"), "--state", StatePath, "--strokes", "bright");
        (int learned, _, string learnError) = await Run("learn", "--model", bundle, "--support", _folder.Combine("support"), "--state", StatePath);

        Assert.Equal(EdgeProgram.Failed, refused);
        Assert.Contains("--strokes bright: this bundle takes images as they are (input.preprocessing.bright = background)", error);
        Assert.True(learned == 0, learnError);
    }

    [Fact]
    public async Task An_image_beside_the_class_folders_is_refused_not_left_out()
    {
        // Before, learn adapted to the class folders alone and said nothing of the loose image.
        File.WriteAllBytes(_folder.Combine("support", "new-part.pgm"), Shapes.Pgm("ring", 1, Side));

        (int code, _, string error) = await Run("learn", "--model", Shapes.ProtoNetBundle, "--support", _folder.Combine("support"), "--state", StatePath);

        Assert.Equal(EdgeProgram.Failed, code);
        Assert.Contains("holds 1 .pgm image beside its class folders (new-part.pgm)", error);
        Assert.False(File.Exists(StatePath));
    }

    [Fact]
    public async Task More_classes_than_a_maml_head_has_are_refused_by_the_bundle()
    {
        foreach (string kind in new[] { "slash", "x1", "x2" })
        {
            Directory.CreateDirectory(_folder.Combine("support", kind));
            File.WriteAllBytes(_folder.Combine("support", kind, "0.pgm"), Shapes.Pgm(kind == "slash" ? kind : "ring", kind.Length, Side));
        }

        (int code, _, string error) = await Run("learn", "--model", Shapes.MamlBundle, "--support", _folder.Combine("support"), "--state", StatePath);

        Assert.Equal(EdgeProgram.Failed, code);
        Assert.Contains("6 classes but the bundle's head has 5 outputs", error);
        Assert.DoesNotContain("(Parameter", error);
        Assert.False(File.Exists(StatePath));
    }

    [Theory]
    [InlineData(new string[0], "usage:")]
    [InlineData(new[] { "train" }, "Unknown command 'train'")]
    [InlineData(new[] { "learn", "--model", "m.fewshot", "--state", "s" }, "'learn' needs --support")]
    [InlineData(new[] { "classify", "--model", "m.fewshot", "--state", "s" }, "needs at least one image")]
    [InlineData(new[] { "classify", "--model", "m", "--state", "s", "--strokes", "grey", "a.pgm" }, "--strokes must be 'auto', 'dark' or 'bright', not 'grey'")]
    [InlineData(new[] { "classify", "--model", "m", "--state", "s", "--threads", "0", "a.pgm" }, "--threads must be a whole number")]
    [InlineData(new[] { "classify", "--model", "m", "--state", "s", "--shots", "5", "a.pgm" }, "has no option --shots")]
    [InlineData(new[] { "classify", "--model", "m", "--state" }, "--state needs a value")]
    [InlineData(new[] { "classify", "--model", "m", "--model", "n", "a.pgm" }, "--model is given more than once")]
    [InlineData(new[] { "learn", "--model", "m", "--support", "s", "--state", "t", "extra" }, "'learn' takes no arguments besides its options, but 'extra'")]
    public async Task A_wrong_command_line_exits_with_the_usage_code(string[] args, string message)
    {
        (int code, string output, string error) = await Run(args);

        Assert.Equal(EdgeProgram.Usage, code);
        Assert.Contains(message, output + error);
        Assert.DoesNotContain("(Parameter", error);
    }

    private static string ClassOf(string image) => Path.GetFileNameWithoutExtension(image) is var name && Classes.Contains(name)
        ? name
        : Path.GetFileName(Path.GetDirectoryName(image))!;

    private static byte[] Flip(byte[] data, int at)
    {
        byte[] copy = [.. data];
        copy[at] ^= 0xFF;
        return copy;
    }
}
