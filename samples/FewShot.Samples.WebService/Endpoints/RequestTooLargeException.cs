namespace FewShot.Samples.WebService.Endpoints;

/// <summary>A request is larger than the service takes (too many examples, or too large a body); answered 413.</summary>
public sealed class RequestTooLargeException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> names the size and the limit.</summary>
    public RequestTooLargeException(string message)
        : base(message)
    {
    }
}
