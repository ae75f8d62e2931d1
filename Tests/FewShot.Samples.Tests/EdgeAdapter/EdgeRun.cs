using EdgeProgram = FewShot.Samples.EdgeAdapter.Program;

namespace FewShot.Samples.Tests.EdgeAdapter;

/// <summary>Runs fewshot-edge in-process, as a user would type it, capturing what it prints.</summary>
internal static class EdgeRun
{
    public static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await EdgeProgram.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
