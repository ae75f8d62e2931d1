using System.Globalization;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>
/// A request body that throws <see cref="RequestTooLargeException"/> once more than a limit has been read from it, for
/// bodies without Content-Length. Kestrel's own limit raises an IOException, which minimal APIs treat as a broken
/// connection and answer with an empty 413; this one reaches <see cref="ProblemExceptionHandler"/>, which says what
/// the limit is. Read-only, forward-only; not thread-safe (one request reads its body from one place).
/// </summary>
public sealed class LimitedBodyStream(Stream inner, RequestLimits limits) : Stream
{
    private long _read;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _read += read;
        return _read > limits.MaxBodyBytes ? throw new RequestTooLargeException(limits.BodyTooLarge(string.Create(CultureInfo.InvariantCulture, $"more than {limits.MaxBodyBytes} bytes"))) : read;
    }
}
