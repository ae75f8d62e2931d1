using System.CommandLine;
using FewShot.Sdk.Runs;

namespace FewShot.Cli.Commands;

/// <summary>Whether <c>fewshot train</c> on a run folder resumes the run there, replaces it, or is refused: the Sdk's check (<see cref="RunResume"/>), said on the terminal.</summary>
internal static class TrainResume
{
    /// <summary>The run in <paramref name="folder"/>, whose model settings resuming needs not repeat (--norm, --downsample); null for a new run.</summary>
    public static RunConfiguration? Existing(string folder) =>
        File.Exists(Path.Combine(folder, RunConfiguration.FileName)) ? RunConfiguration.Load(folder) : null;

    /// <summary>The option's value where the command line gives it, else the setting <paramref name="recorded"/> of the folder's run (<paramref name="run"/>), else the option's default.</summary>
    public static T GivenOr<T>(ParseResult parse, Option<T> option, RunConfiguration? run, Func<RunConfiguration, T> recorded) =>
        parse.GetResult(option) is { Implicit: false } || run is null ? parse.GetValue(option)! : recorded(run);

    /// <summary>Whether the command line gives any of the options.</summary>
    public static bool AnyGiven(ParseResult parse, params Option[] options) =>
        options.Any(option => parse.GetResult(option) is { Implicit: false });

    /// <summary>
    /// <see cref="RunResume.Decide"/>, with what it decided printed (resuming, a run replaced, data that moved). The run
    /// is checked before its data loads, so that a refused run costs nothing; the trainer, given the result as its run,
    /// checks it again with the model it built, and records it.
    /// </summary>
    /// <exception cref="ArgumentException">The folder holds another run, or one that trained on other data, with a checkpoint.</exception>
    public static RunResumption ResumeOrStart(string folder, RunConfiguration requested, TextWriter output)
    {
        var resumption = RunResume.Decide(folder, requested);
        if (resumption.Note is { } note)
        {
            output.WriteLine(note);
        }

        return resumption;
    }
}
