using System.Text;

namespace FewShot.Runtime.Interop;

/// <summary>Strings as the ORT C API reads them: null-terminated, in the encoding each parameter type declares.</summary>
internal static class NativeStrings
{
    /// <summary>A <c>const char*</c>: UTF-8 with a terminating zero.</summary>
    public static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value + "\0");

    /// <summary>A <c>const ORTCHAR_T*</c> (file paths and prefixes): UTF-16 on Windows (wchar_t), UTF-8 elsewhere; zero-terminated.</summary>
    public static byte[] OrtChars(string value) =>
        OperatingSystem.IsWindows() ? Encoding.Unicode.GetBytes(value + "\0") : Utf8(value);
}
