using System.Diagnostics;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;
using Xunit.Abstractions;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>
/// Thousands of seeded corruptions of real bundles and adapted states. Every one either loads into a model that works
/// (a harmless change, such as a zip timestamp or a renamed dataset) or fails with the documented exception type,
/// never with anything else and never with a native crash. Corruptions that cannot be harmless must fail.
/// </summary>
public sealed class BundleFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20260101;

    [Fact]
    [Trait("Category", "Slow")]
    public void TenThousandCorruptBundlesFailCleanly()
    {
        byte[][] bundles =
        [
            TestBundles.Bytes(TestBundles.Maml()), TestBundles.Bytes(TestBundles.ProtoNet()), TestBundles.Bytes(TestBundles.Autoencoder()),
            TestBundles.Bytes(TestBundles.SupportStatistics()),
        ];
        var mutator = new BundleMutator(Seed);
        var cases = new (string Name, int Count, Func<byte[], int, (byte[], bool)> Mutate)[]
        {
            ("bit flips", 3500, (b, _) => mutator.FlipBits(b)),
            ("graph and parameter bytes flipped, rehashed", 400, (b, _) => mutator.FlipGraphBytesRehashed(b)),
            ("huge step counts", 100, (b, _) => mutator.HugeStepCount(b)),
            ("overwritten bytes", 500, (b, _) => mutator.Overwrite(b)),
            ("truncations", 500, (b, _) => mutator.Truncate(b)),
            ("renamed entries and path escapes", 300, (b, _) => mutator.RenameEntry(b)),
            ("duplicated or dropped entries", 150, (b, _) => mutator.DuplicateOrDropEntry(b)),
            ("declared sizes", 350, (b, _) => mutator.DeclareSize(b)),
            ("replaced graphs, rehashed", 200, (b, i) => mutator.ReplaceGraph(b, bundles[(i + 1) % bundles.Length])),
            ("manifest mutations", 4000, (b, _) => mutator.MutateManifest(b)),
        };

        var clock = Stopwatch.StartNew();
        int total = 0;
        foreach ((string name, int count, Func<byte[], int, (byte[], bool)> mutate) in cases)
        {
            int loaded = 0;
            for (int i = 0; i < count; i++, total++)
            {
                (byte[] bundle, bool mustFail) = mutate(bundles[i % bundles.Length], i);
                if (TryLoadAndUse(bundle, $"{name} #{i}"))
                {
                    Assert.False(mustFail, $"{name} #{i} loaded, but that corruption can never be a valid bundle");
                    loaded++;
                }
            }

            output.WriteLine($"{name}: {count} cases, {count - loaded} rejected, {loaded} harmless and loaded");
        }

        output.WriteLine($"{total} corrupt bundles in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("maml")]
    [InlineData("support-statistics")]
    public void TenThousandCorruptAdaptedStatesFailCleanly(string kind)
    {
        using FewShotModel model = BundleTestData.Load(AdaptPredictTests.GradientBundle(kind));
        using var saved = new MemoryStream();
        AdaptPredictTests.Adapt(model).Save(saved);
        byte[] state = saved.ToArray();
        var random = new Random(Seed);
        var cases = new (string Name, int Count, Func<(byte[] State, bool MustFail)> Mutate)[]
        {
            ("truncations", 2500, () => (state[..random.Next(state.Length)], true)),
            ("bit flips", 2500, () => (StateMutations.FlipBit(state, random), true)),
            ("rehashed bit flips", 2500, () => (StateMutations.Rehash(StateMutations.FlipBit(state, random)), false)),
            ("rehashed absurd counts and sizes", 2500, () => (StateMutations.Rehash(StateMutations.AbsurdField(state, random)), false)),
        };

        foreach ((string name, int count, Func<(byte[], bool)> mutate) in cases)
        {
            int loaded = 0;
            for (int i = 0; i < count; i++)
            {
                (byte[] corrupt, bool mustFail) = mutate();
                Exception? error = Record.Exception(() =>
                {
                    // A state that still parses (a rehashed flip inside a value) must then predict, or refuse as documented.
                    AdaptedModel adapted = model.LoadAdapted(new MemoryStream(corrupt));
                    loaded++;
                    Exception? use = Record.Exception(() => adapted.PredictValues(BundleTestData.Examples(2)));
                    Assert.True(use is null or InvalidOperationException or GraphRunException, $"{name} #{i} loaded, then predicting failed with {use}");
                });
                Assert.True(error is null or InvalidAdaptedStateException, $"{name} #{i} gave {error?.GetType().Name}: {error}");
                Assert.False(mustFail && error is null, $"{name} #{i} loaded, but that corruption can never be a valid state");
            }

            output.WriteLine($"{name}: {count} cases, {count - loaded} rejected, {loaded} loaded");
        }
    }

    private static bool TryLoadAndUse(byte[] bundle, string what)
    {
        FewShotModel model;
        try
        {
            model = FewShotModel.Load(new MemoryStream(bundle), BundleTestData.Options);
        }
        catch (InvalidBundleException)
        {
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what} failed with {e.GetType().Name} instead of InvalidBundleException: {e}");
            throw;
        }

        using (model)
        {
            // A bundle that loads must work, or refuse the call with the documented argument or state errors.
            Exception? error = Record.Exception(() => AdaptPredictTests.Adapt(model).PredictValues(BundleTestData.Examples(3)));
            Assert.True(error is null or ArgumentException or InvalidOperationException or GraphRunException, $"{what} loaded, then failed with {error}");

            // Huge finite queries: refused, or a NonFiniteResultException; never NaN returned, never ONNX Runtime's own exception.
            float[] huge = BundleTestData.Examples(2);
            huge.AsSpan().Fill(3.4e38f);
            Exception? overflow = Record.Exception(() =>
            {
                float[][] values = [.. AdaptPredictTests.Adapt(model).PredictValues(huge)];
                Assert.All(values, row => Assert.All(row, v => Assert.True(float.IsFinite(v), $"{what}: huge queries predicted {v}")));
            });
            Assert.True(overflow is null or ArgumentException or InvalidOperationException or GraphRunException, $"{what} with huge queries failed with {overflow}");
        }

        return true;
    }
}
