namespace FewShot.Bundles.Tests.Graphs;

/// <summary>
/// The contract of per-example prototypes: an embedding bundle's adapt graph may output "prototype_labels" besides
/// "prototypes", and then predict must take them; without them predict must not. Checked for writer and runtime alike.
/// </summary>
public sealed class PrototypeLabelsContractTests
{
    private static readonly ModelManifest Manifest = new()
    {
        Algorithm = "siamese",
        Model = "siamese-conv4",
        Input = new ManifestInput { Shape = [1, 28, 28], Normalization = new ManifestNormalization { Text = "test" } },
        Output = new ManifestOutput { Kind = OutputKind.Embedding, Size = 4 },
        Classes = new ManifestClasses { Min = 1 },
        Parameters = [new ManifestParameter { Name = "w", Shape = [4] }],
        Provenance = new ManifestProvenance { Dataset = "omniglot", Split = "lake", Iterations = 0, Seed = 0 },
    };

    private static readonly TensorSignature Weight = new("w", GraphElementType.Float, [4]);
    private static readonly TensorSignature Prototypes = new(BundleNames.Prototypes, GraphElementType.Float, [null, 4]);
    private static readonly TensorSignature Labels = new(BundleNames.PrototypeLabels, GraphElementType.Float, [null]);

    private static GraphSignature Adapt(params TensorSignature[] outputs) => new(
        [new(BundleNames.SupportX, GraphElementType.Float, [null, 1, 28, 28]), new(BundleNames.SupportY, GraphElementType.Int64, [null]), Weight],
        outputs, new HashSet<string>());

    private static GraphSignature Predict(params TensorSignature[] state) => new(
        [new(BundleNames.X, GraphElementType.Float, [null, 1, 28, 28]), Weight, .. state],
        [new(BundleNames.Output, GraphElementType.Float, [null, null])], new HashSet<string>());

    [Fact]
    public void AdaptWithLabelsFetchesThemAndPredictMustTakeThem()
    {
        var use = GraphExpectations.Check(Manifest, BundleNames.AdaptEntry, Adapt(Prototypes, Labels));

        Assert.True(use.WritesPrototypeLabels);
        Assert.Equal([BundleNames.Prototypes, BundleNames.PrototypeLabels], use.Outputs);
        GraphExpectations.Check(Manifest, BundleNames.PredictEntry, Predict(Prototypes, Labels), prototypeLabels: true);
        var missing = Assert.Throws<BundleFormatException>(() => GraphExpectations.Check(Manifest, BundleNames.PredictEntry, Predict(Prototypes), prototypeLabels: true));
        Assert.Contains("has no 'prototype_labels' input", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictMayNotTakeLabelsThatAdaptDoesNotWrite()
    {
        var use = GraphExpectations.Check(Manifest, BundleNames.AdaptEntry, Adapt(Prototypes));

        Assert.False(use.WritesPrototypeLabels);
        var stray = Assert.Throws<BundleFormatException>(() => GraphExpectations.Check(Manifest, BundleNames.PredictEntry, Predict(Prototypes, Labels)));
        Assert.Contains("'prototype_labels'", stray.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsOfAnotherTypeOrShapeAreRefused()
    {
        var wrong = new TensorSignature(BundleNames.PrototypeLabels, GraphElementType.Int64, [null]);

        var problem = Assert.Throws<BundleFormatException>(() => GraphExpectations.Check(Manifest, BundleNames.AdaptEntry, Adapt(Prototypes, wrong)));
        Assert.Contains("prototype_labels", problem.Message, StringComparison.Ordinal);
    }
}
