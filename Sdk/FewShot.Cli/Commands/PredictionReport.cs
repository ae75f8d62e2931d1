using System.Globalization;
using System.Text.Json;
using FewShot.Bundles;
using FewShot.Runtime.Bundles;

namespace FewShot.Cli.Commands;

/// <summary>What adapt and predict print for the queries: one row each (label and probability, values, or score), and the accuracy when the queries are labelled (the mean squared error when they carry regression targets).</summary>
internal static class PredictionReport
{
    private sealed record Row(string Name, string? Label, float? Probability, float? Score, float[]? Values);

    /// <summary>Predicts <paramref name="queries"/> with <paramref name="adapted"/> and writes them as a table, or as one JSON object.</summary>
    public static void Write(TextWriter output, bool json, FewShotModel bundle, AdaptedModel adapted, ExampleSet queries)
    {
        var rows = Predict(bundle.Kind, adapted, queries);
        double? accuracy = queries.Labels is { } truth && rows.All(r => r.Label is not null)
            ? rows.Where((r, i) => r.Label == truth[i]).Count() / (double)rows.Length
            : null;
        // Regression queries with targets (an .npz whose 'y' is float) are scored as eval scores them: mean squared error.
        double? mse = queries.Targets is { } targets && rows.All(r => r.Values is not null) && targets.Length == rows.Sum(r => r.Values!.Length)
            ? rows.SelectMany(r => r.Values!).Select((v, i) => (double)(v - targets[i]) * (v - targets[i])).Average()
            : null;
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                model = bundle.Hash,
                algorithm = bundle.Manifest.Algorithm,
                labels = adapted.Labels,
                accuracy,
                mse,
                predictions = rows.Select(r => new { name = r.Name, label = r.Label, probability = r.Probability, score = r.Score, values = r.Values }),
            }));
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var classes = adapted.Labels.Count switch
        {
            0 => string.Empty, // regression and reconstruction bundles have no classes
            1 => " to 1 class",
            var count => $" to {count} classes",
        };
        output.WriteLine($"{bundle.Manifest.Algorithm} bundle {bundle.Hash[..12]} adapted{classes}; {rows.Length} {(rows.Length == 1 ? "query" : "queries")}:");
        foreach (var row in rows)
        {
            output.WriteLine(row switch
            {
                { Values: { } v } => $"  {row.Name,-24} {string.Join(", ", v.Select(x => x.ToString("F4", inv)))}",
                { Score: { } s } => string.Create(inv, $"  {row.Name,-24} reconstruction error {s:F5}"),
                _ => string.Create(inv, $"  {row.Name,-24} {row.Label} ({row.Probability:P1})"),
            });
        }

        if (accuracy is { } a)
        {
            output.WriteLine(string.Create(inv, $"Accuracy: {a:P2}"));
            // A query whose class the support set lacks can never be right: say so, or a misnamed class folder reads as a poor model.
            var unknown = queries.Labels!.Where(l => !adapted.Labels.Contains(l)).ToArray();
            if (unknown.Length > 0)
            {
                output.WriteLine($"  {unknown.Length} of {rows.Length} queries carry labels the support set lacks ({string.Join(", ", unknown.Distinct().Order(StringComparer.Ordinal))}), counted as wrong");
            }
        }

        if (mse is { } m)
        {
            output.WriteLine(string.Create(inv, $"MSE: {m:F4}"));
        }
    }

    private static Row[] Predict(OutputKind kind, AdaptedModel adapted, ExampleSet queries)
    {
        if (kind == OutputKind.Regression)
        {
            return adapted.PredictValues(queries.Inputs).Select((v, i) => new Row(queries.Names[i], null, null, null, v)).ToArray();
        }

        return adapted.Predict(queries.Inputs)
            .Select((p, i) => new Row(queries.Names[i], p.Label, p.Probabilities.Count > 0 ? p.Probabilities[p.ClassIndex] : null, p.Score, null))
            .ToArray();
    }
}
