using System.Buffers.Binary;
using System.Security.Cryptography;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Saving adapted models and reading them back: exact round trips, and every kind of bad state file rejected by name.</summary>
public sealed class AdaptedStateTests
{
    private static readonly float[] Query = BundleTestData.Examples(5, seed: 12);

    [Theory]
    [InlineData("maml")]
    [InlineData("meta-sgd")]
    [InlineData("anil")]
    [InlineData("protonet")]
    [InlineData("autoencoder")]
    [InlineData("regression")]
    [InlineData("support-statistics")]
    public void RoundTrip_GivesTheSameStateAndPredictions(string kind)
    {
        using FewShotModel model = BundleTestData.Load(AdaptPredictTests.GradientBundle(kind));
        AdaptedModel adapted = AdaptPredictTests.Adapt(model, new AdaptOptions { Steps = 2 });

        AdaptedModel again = model.LoadAdapted(new MemoryStream(Save(adapted)));

        Assert.Equal(adapted.Labels, again.Labels);
        Assert.Equal(adapted.Tensors.Select(t => t.Name), again.Tensors.Select(t => t.Name));
        Assert.Equal(adapted.Tensors.Select(t => t.Shape), again.Tensors.Select(t => t.Shape));
        Assert.Equal(adapted.Tensors.Select(t => t.Values.ToArray()), again.Tensors.Select(t => t.Values.ToArray()));
        Assert.Equal(adapted.PredictValues(Query), again.PredictValues(Query));
        Assert.Equal(model.Hash, again.BaseModelHash);
    }

    [Fact]
    public void SaveToAPath_IsAtomicAndLeavesNoTemporaryFile()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        AdaptedModel first = model.Adapt(BundleTestData.Examples(6), ["α", "β", "γ", "α", "β", "γ"]);
        AdaptedModel second = model.Adapt(BundleTestData.Examples(6, seed: 3), ["x", "y", "x", "y", "x", "y"]);
        string folder = Directory.CreateTempSubdirectory("fewshot-state-").FullName;
        try
        {
            string path = Path.Combine(folder, "task.fsadapt");
            first.Save(path);
            second.Save(path);

            Assert.Equal(["task.fsadapt"], Directory.GetFiles(folder).Select(Path.GetFileName));
            Assert.Equal(["x", "y"], model.LoadAdapted(path).Labels);
            Assert.Throws<DirectoryNotFoundException>(() => first.Save(Path.Combine(folder, "missing", "task.fsadapt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void StateOfAnotherModel()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml(seed: 1));
        using FewShotModel other = BundleTestData.Load(TestBundles.Maml(seed: 2));
        byte[] state = Save(AdaptPredictTests.Adapt(other));

        Rejects(model, state, $"This adapted state belongs to model {other.Hash[..12]}, not {model.Hash[..12]}");
    }

    [Fact]
    public void TamperedState()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        byte[] state = Save(AdaptPredictTests.Adapt(model));
        state[state.Length / 2] ^= 0x04;

        Rejects(model, state, "corrupted or truncated: its SHA-256 does not match");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(200)]
    public void TruncatedState(int removed)
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        byte[] state = Save(AdaptPredictTests.Adapt(model));

        Rejects(model, state[..^removed], "corrupted or truncated");
    }

    [Fact]
    public void NotAnAdaptedState()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        Rejects(model, TestBundles.Bytes(TestBundles.Maml()), "not a FewShot adapted state");
        Rejects(model, [], "not a FewShot adapted state");
    }

    [Fact]
    public void UnknownStateFormatVersion()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        byte[] state = Save(AdaptPredictTests.Adapt(model));
        BinaryPrimitives.WriteUInt32LittleEndian(state.AsSpan(8), 3);

        Rejects(model, state, "Adapted state format version 3 is not supported: this runtime reads versions 1 and 2");
    }

    [Fact]
    public void TensorOfTheWrongShape()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Anil());
        var forged = new AdaptedModel(model, ["a", "b"], [new("fc2.weight", [2, 8], new float[16]), new("fc2.bias", [3], new float[3])]);

        Rejects(model, Save(forged), "The adapted state's 'fc2.weight' has shape [2, 8]; this model expects [3, 8]");
    }

    [Fact]
    public void TensorTheModelDoesNotAdapt()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Anil());
        var forged = new AdaptedModel(model, ["a", "b"], [new("fc1.bias", [8], new float[8]), new("fc2.bias", [3], new float[3])]);

        Rejects(model, Save(forged), "holds tensor 'fc1.bias', which this model does not adapt (it adapts fc2.weight, fc2.bias)");
    }

    [Fact]
    public void MoreLabelsThanTheHead()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        AdaptedModel adapted = AdaptPredictTests.Adapt(model);
        var forged = new AdaptedModel(model, ["a", "b", "c", "d"], [.. adapted.Tensors]);

        Rejects(model, Save(forged), "The adapted state has 4 classes but the bundle's head has 3 outputs");
    }

    [Fact]
    public void PrototypesThatDisagreeWithTheLabels()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.ProtoNet());
        var forged = new AdaptedModel(model, ["a", "b", "c"], [new("prototypes", [2, 5], new float[10])]);

        Rejects(model, Save(forged), "'prototypes' has shape [2, 5]; this model expects [3, 5]");
    }

    [Fact]
    public void RehashedStateWithTrailingBytes()
    {
        using FewShotModel model = BundleTestData.Load(TestBundles.Maml());
        byte[] state = Save(AdaptPredictTests.Adapt(model));
        byte[] body = [.. state[..^32], 1, 2, 3];

        Rejects(model, [.. body, .. SHA256.HashData(body)], "3 unexpected bytes after its last tensor");
    }

    private static byte[] Save(AdaptedModel adapted)
    {
        using var stream = new MemoryStream();
        adapted.Save(stream);
        return stream.ToArray();
    }

    private static void Rejects(FewShotModel model, byte[] state, string fragment)
    {
        var error = Assert.Throws<InvalidAdaptedStateException>(() => model.LoadAdapted(new MemoryStream(state)));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }
}
