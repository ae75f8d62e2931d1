using System.CommandLine;

namespace FewShot.Cli.Commands;

/// <summary>
/// <c>fewshot predict</c>: predicts queries with an adapted state that <c>fewshot adapt --save</c> (or an app, with
/// <c>AdaptedModel.Save</c>) wrote earlier for the same bundle, without adapting again: the device's later starts.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var state = new Option<string>("--state") { Description = "Adapted state saved by fewshot adapt --save with the same bundle", Required = true };
        var query = BundleInputs.Queries();
        var json = RunOptions.Json();
        var command = new Command("predict", "Predict queries with an adapted state saved earlier (fewshot adapt --save), without adapting again.");
        var inputs = new BundleInputs(command, state, query, json);

        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            // The prediction graph alone: no adaptation graph is optimized or held.
            using var bundle = inputs.Load(parse, predictionOnly: true);
            var adapted = bundle.LoadAdapted(parse.GetValue(state)!);
            var querySet = inputs.Examples(parse, bundle, parse.GetValue(query)!);
            PredictionReport.Write(output, parse.GetValue(json), bundle, adapted, querySet);
            return 0;
        }));
        return command;
    }
}
