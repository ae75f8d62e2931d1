using System.Globalization;
using FewShot.Runtime.Bundles;
using Microsoft.Extensions.Options;

namespace FewShot.Samples.WebService.Endpoints;

/// <summary>
/// The size limits of adapt and predict requests, from <see cref="FewShotServiceOptions"/> and the served bundle's example
/// size; checked once, at startup. A singleton; immutable.
/// </summary>
public sealed class RequestLimits
{
    /// <summary>
    /// Bytes allowed per float in the default body limit: the longest float System.Text.Json writes ("-1.1754944E-38",
    /// 14 characters), a comma and a space, so that any client's encoding of a full request fits.
    /// </summary>
    public const int JsonBytesPerFloat = 16;

    /// <summary>Bytes allowed per example beyond its floats in the default body limit: its brackets and its label.</summary>
    public const int JsonBytesPerExample = 256;

    /// <summary>Bytes allowed per request beyond its examples in the default body limit: the field names and braces.</summary>
    public const int JsonBytesPerRequest = 4_096;

    /// <summary>Reads the limits.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative where it must be positive.</exception>
    public RequestLimits(IOptions<FewShotServiceOptions> options, FewShotModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        FewShotServiceOptions settings = options.Value;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(settings.MaxExamplesPerRequest, $"{FewShotServiceOptions.Section}:{nameof(settings.MaxExamplesPerRequest)}");
        ArgumentOutOfRangeException.ThrowIfNegative(settings.MaxRequestBodyBytes, $"{FewShotServiceOptions.Section}:{nameof(settings.MaxRequestBodyBytes)}");
        MaxExamples = settings.MaxExamplesPerRequest;
        MaxBodyBytes = settings.MaxRequestBodyBytes > 0
            ? settings.MaxRequestBodyBytes
            : (MaxExamples * (((long)model.ExampleSize * JsonBytesPerFloat) + JsonBytesPerExample)) + JsonBytesPerRequest;
        ExampleSize = model.ExampleSize;
    }

    /// <summary>The most examples per request.</summary>
    public int MaxExamples { get; }

    /// <summary>The largest request body, in bytes.</summary>
    public long MaxBodyBytes { get; }

    /// <summary>Floats per example.</summary>
    public int ExampleSize { get; }

    /// <summary>Refuses a request of <paramref name="count"/> examples when there are more than <see cref="MaxExamples"/>.</summary>
    /// <exception cref="RequestTooLargeException">There are too many.</exception>
    public void CheckExampleCount(int count)
    {
        if (count > MaxExamples)
        {
            throw new RequestTooLargeException(string.Create(CultureInfo.InvariantCulture,
                $"The request holds {count} examples; this service takes at most {MaxExamples} per request. Send them in several requests."));
        }
    }

    /// <summary>Refuses a body declared as <paramref name="contentLength"/> bytes when it exceeds <see cref="MaxBodyBytes"/>.</summary>
    /// <exception cref="RequestTooLargeException">It is too large.</exception>
    public void CheckBodyLength(long? contentLength)
    {
        if (contentLength > MaxBodyBytes)
        {
            throw new RequestTooLargeException(BodyTooLarge($"{contentLength} bytes"));
        }
    }

    /// <summary>The message for a body over <see cref="MaxBodyBytes"/>; <paramref name="size"/> says how large it was, if known.</summary>
    public string BodyTooLarge(string size) => string.Create(CultureInfo.InvariantCulture,
        $"The request body has {size}; this service takes at most {MaxBodyBytes} bytes per request ({Counted.Of(MaxExamples, "example", "examples")} of {Counted.Of(ExampleSize, "float", "floats")} as JSON).");
}
