using System.Runtime.InteropServices;
using System.Text;

namespace FewShot.Runtime.Interop;

/// <summary>
/// A native <c>const char* const*</c> array of null-terminated UTF-8 strings in one block of native memory: how
/// <c>Run</c> takes input and output names. Built once per runner, so runs marshal no strings.
/// </summary>
internal sealed unsafe class Utf8StringArray : SafeHandle
{
    /// <summary>Encodes <paramref name="strings"/> into one native block: the pointer array, then the bytes.</summary>
    public Utf8StringArray(IReadOnlyList<string> strings)
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
        Count = strings.Count;
        int pointerBytes = Count * sizeof(nint);
        int totalBytes = pointerBytes;
        foreach (string s in strings)
        {
            totalBytes = checked(totalBytes + Encoding.UTF8.GetByteCount(s) + 1);
        }

        byte* block = (byte*)NativeMemory.Alloc((nuint)Math.Max(totalBytes, 1));
        SetHandle((nint)block);
        byte** pointers = (byte**)block;
        byte* next = block + pointerBytes;
        for (int i = 0; i < Count; i++)
        {
            pointers[i] = next;
            int written = Encoding.UTF8.GetBytes(strings[i], new Span<byte>(next, totalBytes - (int)(next - block)));
            next[written] = 0;
            next += written + 1;
        }
    }

    /// <summary>Number of strings.</summary>
    public int Count { get; }

    /// <summary>The <c>const char* const*</c> array; valid while this object lives.</summary>
    public byte** Pointers => (byte**)handle;

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}
