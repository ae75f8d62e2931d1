using System.Security.Cryptography;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>Signed adapted states: an HMAC over the content, the base model's hash and an owner id, under the app's key.</summary>
public sealed class SignedStateTests
{
    private static readonly byte[] Bundle = TestBundles.Bytes(TestBundles.Maml());
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly float[] Query = BundleTestData.Examples(4, seed: 8);

    [Fact]
    public void SignedState_RoundTrips_ForItsOwner()
    {
        using FewShotModel model = Load(Key);
        AdaptedModel adapted = AdaptPredictTests.Adapt(model);

        AdaptedModel again = model.LoadAdapted(new MemoryStream(Save(adapted, "alice")), "alice");

        Assert.Equal(adapted.PredictValues(Query), again.PredictValues(Query));
    }

    [Fact]
    public void AnotherOwner_IsRefused()
    {
        using FewShotModel model = Load(Key);
        byte[] alice = Save(AdaptPredictTests.Adapt(model), "alice");

        var e = Assert.Throws<InvalidAdaptedStateException>(() => model.LoadAdapted(new MemoryStream(alice), "bob"));
        Assert.Contains("belongs to owner 'alice', not 'bob'", e.Message);
    }

    [Fact]
    public void AnotherKey_IsRefused()
    {
        using FewShotModel signer = Load(Key);
        using FewShotModel other = Load(RandomNumberGenerator.GetBytes(32));
        byte[] state = Save(AdaptPredictTests.Adapt(signer), "alice");

        var e = Assert.Throws<InvalidAdaptedStateException>(() => other.LoadAdapted(new MemoryStream(state), "alice"));
        Assert.Contains("signature does not match", e.Message);
    }

    [Fact]
    public void EveryDeliberateEdit_WithItsChecksumRecomputed_IsRefused()
    {
        // The probe: 139 of 285 edits loaded once the SHA-256 was recomputed. An HMAC cannot be recomputed without the key.
        using FewShotModel model = Load(Key);
        byte[] state = Save(AdaptPredictTests.Adapt(model), "alice");
        var random = new Random(14);
        for (int i = 0; i < 300; i++)
        {
            byte[] edited = [.. state];
            // Past the magic and version, which have their own errors: the base hash, owner, labels and tensors.
            edited[random.Next(12, edited.Length - 32)] ^= (byte)(1 << random.Next(8));
            SHA256.HashData(edited.AsSpan(0, edited.Length - 32), edited.AsSpan(edited.Length - 32));

            var e = Assert.Throws<InvalidAdaptedStateException>(() => model.LoadAdapted(new MemoryStream(edited), "alice"));
            Assert.Contains("signature does not match", e.Message);
        }
    }

    [Fact]
    public void UnsignedAndSignedStates_DoNotCross()
    {
        using FewShotModel signing = Load(Key);
        using FewShotModel plain = Load(null);
        byte[] signed = Save(AdaptPredictTests.Adapt(signing), "alice");
        byte[] unsigned = Save(AdaptPredictTests.Adapt(plain), string.Empty);

        Assert.Contains("is not signed", Assert.Throws<InvalidAdaptedStateException>(() => signing.LoadAdapted(new MemoryStream(unsigned), "alice")).Message);
        Assert.Contains("is signed", Assert.Throws<InvalidAdaptedStateException>(() => plain.LoadAdapted(new MemoryStream(signed))).Message);
        Assert.Throws<InvalidOperationException>(() => AdaptPredictTests.Adapt(plain).Save(new MemoryStream(), "alice"));
    }

    [Fact]
    public void AnUnsignedState_IsRefusedWithAKey_WithoutAnOwnerToo_AndSaysItIsNotSigned()
    {
        using FewShotModel signing = Load(Key);
        using FewShotModel plain = Load(null);
        string path = Path.Combine(Directory.CreateTempSubdirectory("fewshot-signed-").FullName, "plain.state");
        try
        {
            AdaptPredictTests.Adapt(plain).Save(path);

            foreach (Func<AdaptedModel> load in (Func<AdaptedModel>[])[() => signing.LoadAdapted(path), () => signing.LoadAdapted(path, string.Empty), () => signing.LoadAdaptedAsync(path).GetAwaiter().GetResult()])
            {
                var e = Assert.Throws<InvalidAdaptedStateException>(load);
                Assert.Contains("is not signed", e.Message);
                Assert.Contains("without the key", e.Message);
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void WithAKey_SaveWithoutAnOwner_SignsTheState_ForLoadsWithoutAnOwnerOnly()
    {
        using FewShotModel model = Load(Key);
        byte[] noOwner = Save(AdaptPredictTests.Adapt(model), string.Empty);
        byte[] alice = Save(AdaptPredictTests.Adapt(model), "alice");

        Assert.NotEmpty(model.LoadAdapted(new MemoryStream(noOwner)).PredictValues(Query));
        byte[] edited = [.. noOwner];
        edited[^40] ^= 1;
        Assert.Contains("signature does not match", Assert.Throws<InvalidAdaptedStateException>(() => model.LoadAdapted(new MemoryStream(edited))).Message);

        var forAlice = Assert.Throws<InvalidAdaptedStateException>(() => model.LoadAdapted(new MemoryStream(noOwner), "alice"));
        Assert.Contains("bound to no owner (saved without an owner id), not to owner 'alice'", forAlice.Message);
        Assert.DoesNotContain("owner ''", forAlice.Message);
        var forNoOne = Assert.Throws<InvalidAdaptedStateException>(() => model.LoadAdapted(new MemoryStream(alice)));
        Assert.Contains("belongs to owner 'alice', and no owner id was given", forNoOne.Message);
    }

    [Fact]
    public void AnOwner_WithoutAKey_IsRefusedOnLoadAsOnSave()
    {
        using FewShotModel plain = Load(null);
        byte[] unsigned = Save(AdaptPredictTests.Adapt(plain), string.Empty);

        var e = Assert.Throws<InvalidOperationException>(() => plain.LoadAdapted(new MemoryStream(unsigned), "alice"));

        Assert.Contains("StateSigningKey", e.Message);
        Assert.NotEmpty(plain.LoadAdapted(new MemoryStream(unsigned)).PredictValues(Query));
    }

    [Fact]
    public void AShortKey_IsRefusedAtLoad()
    {
        var e = Assert.Throws<ArgumentException>(() => Load(new byte[8]));
        Assert.Contains("at least 16", e.Message);
    }

    private static FewShotModel Load(byte[]? key)
    {
        RuntimeOptions options = BundleTestData.Options;
        options.StateSigningKey = key;
        return FewShotModel.Load(new MemoryStream(Bundle), options);
    }

    private static byte[] Save(AdaptedModel adapted, string owner)
    {
        using var stream = new MemoryStream();
        adapted.Save(stream, owner);
        return stream.ToArray();
    }
}
