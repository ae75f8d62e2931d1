namespace FewShot.Tests.Shared;

/// <summary>The Python interpreter that has Debian's python3-onnx and python3-torch.</summary>
internal static class Python
{
    /// <summary>
    /// FEWSHOT_PYTHON when set; otherwise Debian's /usr/bin/python3, where apt installs python3-onnx and
    /// python3-torch (a python3 earlier on PATH, such as a pyenv one, usually lacks them).
    /// </summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("FEWSHOT_PYTHON") is { Length: > 0 } configured ? configured
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3"
        : "python3";
}
