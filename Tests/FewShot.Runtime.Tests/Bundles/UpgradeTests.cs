using FewShot.Bundles;
using FewShot.Exporters.Bundles;
using FewShot.Runtime.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

public sealed class UpgradeTests
{
    [Theory]
    [InlineData("maml")]
    [InlineData("meta-sgd")]
    [InlineData("anil")]
    [InlineData("protonet")]
    [InlineData("autoencoder")]
    public void AFormatOneBundle_IsRefusedWithTheCommand_AndItsUpgradePredictsIdentically(string kind)
    {
        byte[] original = TestBundles.Bytes(AdaptPredictTests.GradientBundle(kind));
        byte[] old = FormatOne.From(original);

        var refused = Assert.Throws<InvalidBundleException>(() => BundleTestData.Load(old));
        Assert.Contains("upgrade the bundle with `fewshot export --upgrade old.fewshot --out new.fewshot`", refused.Message);

        byte[] upgraded = BundleWriter.ToBytes(BundleUpgrade.Read(new MemoryStream(old)));
        using FewShotModel before = BundleTestData.Load(original);
        using FewShotModel after = BundleTestData.Load(upgraded);
        float[] queries = BundleTestData.Examples(5, before.ExampleSize, seed: 21);
        Assert.Equal(
            AdaptPredictTests.Adapt(before).PredictValues(queries).SelectMany(r => r),
            AdaptPredictTests.Adapt(after).PredictValues(queries).SelectMany(r => r));

        // Nothing else changed either: θ₀ out of the graphs and into parameters.bin is the whole difference.
        Assert.Equal(original, upgraded);
    }

    [Fact]
    public void AnImageModel_GetsOmniglotsPreprocessing_AndAnyOtherInputNone()
    {
        BundleContents contents = TestBundles.Maml();
        byte[] vector = FormatOne.From(TestBundles.Bytes(contents));
        Assert.Null(BundleUpgrade.Read(new MemoryStream(vector)).Manifest.Input.Preprocessing);

        byte[] image = FormatOne.From(TestBundles.Bytes(TestBundles.Maml(inputs: 28 * 28) is var wide
            ? new BundleContents
            {
                Manifest = wide.Manifest with { Input = wide.Manifest.Input with { Shape = [1, 28, 28] } },
                Parameters = wide.Parameters, Predict = Reshaped(wide.Predict), Adapt = Reshaped(wide.Adapt), AdaptK = Reshaped(wide.AdaptK!),
            }
            : throw new InvalidOperationException()));
        Assert.Equal(ManifestPreprocessing.Omniglot, BundleUpgrade.Read(new MemoryStream(image)).Manifest.Input.Preprocessing);
    }

    [Fact]
    public void AFormatTwoBundle_HasNothingToUpgrade() =>
        Assert.Contains("already format 2",
            Assert.Throws<InvalidDataException>(() => BundleUpgrade.Read(new MemoryStream(TestBundles.Bytes(TestBundles.Maml())))).Message);

    // The MLP fixtures read x as [n, 784]; declaring it [n, 1, 28, 28] is enough for the upgrade, which never runs the graph.
    private static Exporters.Onnx.ModelProto Reshaped(Exporters.Onnx.ModelProto model)
    {
        Exporters.Onnx.ModelProto copy = model.Clone();
        foreach (Exporters.Onnx.ValueInfoProto input in copy.Graph.Input.Where(i => i.Name is BundleNames.X or BundleNames.SupportX))
        {
            var dims = input.Type.TensorType.Shape.Dim;
            dims.RemoveAt(1);
            dims.Add(new Exporters.Onnx.TensorShapeProto.Types.Dimension { DimValue = 1 });
            dims.Add(new Exporters.Onnx.TensorShapeProto.Types.Dimension { DimValue = 28 });
            dims.Add(new Exporters.Onnx.TensorShapeProto.Types.Dimension { DimValue = 28 });
        }

        return copy;
    }
}
