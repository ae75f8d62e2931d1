using FewShot.Bundles;
using FewShot.Exporters.Onnx;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Exporters.Bundles;

/// <summary>
/// Checks the graphs against the bundle contract, which FewShot.Bundles' <see cref="GraphExpectations"/> describes for
/// writer and runtime alike, and returns copies without θ₀: format 2 keeps it once, in parameters.bin, and the graphs
/// take parameters as plain inputs. This class only translates ONNX protobuf into a <see cref="GraphSignature"/>.
/// The caller's models are never edited.
/// </summary>
internal static class GraphContract
{
    /// <summary>The graphs ready to serialize, in entry order; AdaptK is null for prototype bundles.</summary>
    public sealed record Prepared(ModelProto Predict, ModelProto Adapt, ModelProto? AdaptK, ModelProto? Statistics);

    /// <summary>Checks <paramref name="contents"/>' graphs against <paramref name="manifest"/> (whose rules have passed) and strips θ₀ from them.</summary>
    /// <exception cref="ArgumentException">A graph breaks the contract; the message names the entry, the value and what was expected.</exception>
    public static Prepared Prepare(BundleContents contents, ModelManifest manifest)
    {
        bool prototypes = manifest.Output.Kind == OutputKind.Embedding;
        ArgumentNullException.ThrowIfNull(contents.Predict, nameof(contents.Predict));
        ArgumentNullException.ThrowIfNull(contents.Adapt, nameof(contents.Adapt));
        if (prototypes != (contents.AdaptK is null))
        {
            throw new ArgumentException($"{BundleNames.AdaptKEntry}: " + (prototypes
                ? "an embedding (prototype) bundle has no K-step graph; leave AdaptK null"
                : "a gradient-step bundle needs the K-step unrolled graph; AdaptK is null"), nameof(contents));
        }

        if ((manifest.InnerLoop?.Statistics is null) != (contents.Statistics is null))
        {
            throw new ArgumentException($"{BundleNames.StatisticsEntry}: " + (contents.Statistics is null
                ? "the manifest's innerLoop.statistics lists state that a statistics graph computes; Statistics is null"
                : "a statistics graph needs innerLoop.statistics to say which adapted state it computes; it is null"), nameof(contents));
        }

        var parameters = manifest.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        ModelProto predict = Strip(contents.Predict, BundleNames.PredictEntry, parameters);
        ModelProto adapt = Strip(contents.Adapt, BundleNames.AdaptEntry, parameters);
        ModelProto? adaptK = contents.AdaptK is null ? null : Strip(contents.AdaptK, BundleNames.AdaptKEntry, parameters);
        ModelProto? statistics = contents.Statistics is null ? null : Strip(contents.Statistics, BundleNames.StatisticsEntry, parameters);
        try
        {
            GraphUse adaptUse = GraphExpectations.Check(manifest, BundleNames.AdaptEntry, Signature(adapt.Graph));
            bool featuresNeeded = adaptUse.ReadsFeatures;
            if (adaptK is not null)
            {
                featuresNeeded |= GraphExpectations.Check(manifest, BundleNames.AdaptKEntry, Signature(adaptK.Graph)).ReadsFeatures;
            }

            if (statistics is not null)
            {
                GraphExpectations.Check(manifest, BundleNames.StatisticsEntry, Signature(statistics.Graph));
            }

            GraphExpectations.Check(manifest, BundleNames.PredictEntry, Signature(predict.Graph), featuresNeeded,
                prototypeLabels: adaptUse.WritesPrototypeLabels);
        }
        catch (BundleFormatException e)
        {
            throw new ArgumentException(e.Message, nameof(contents), e);
        }

        return new Prepared(predict, adapt, adaptK, statistics);
    }

    private static ModelProto Strip(ModelProto source, string entry, HashSet<string> parameters)
    {
        ModelProto model = source.Clone();
        GraphProto graph = model.Graph ?? throw new ArgumentException($"{entry}: the model has no graph", "contents");

        // Whatever a parameter input stored (format 1 kept θ₀ there) goes: the runtime feeds θ₀ from parameters.bin.
        foreach (TensorProto stale in graph.Initializer.Where(i => parameters.Contains(i.Name)).ToList())
        {
            graph.Initializer.Remove(stale);
        }

        return model;
    }

    private static GraphSignature Signature(GraphProto graph)
    {
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return new GraphSignature(
            [.. graph.Input.Select(Value)],
            [.. graph.Output.Select(Value)],
            graph.Initializer.Select(i => i.Name).Where(inputs.Contains).ToHashSet(StringComparer.Ordinal));
    }

    private static TensorSignature Value(ValueInfoProto info)
    {
        TypeProto.Types.Tensor? tensor = info.Type?.TensorType;
        GraphElementType type = tensor?.ElemType switch
        {
            (int)DataType.Float => GraphElementType.Float,
            (int)DataType.Int64 => GraphElementType.Int64,
            _ => GraphElementType.Other,
        };
        long?[]? dims = tensor?.Shape is { } shape ? [.. shape.Dim.Select(d => d.HasDimValue ? d.DimValue : (long?)null)] : null;
        return new TensorSignature(info.Name, type, dims);
    }
}
