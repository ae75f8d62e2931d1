using System.Text.Json.Serialization;

namespace FewShot.Bundles;

/// <summary>
/// How an image becomes the model's input, machine-readable, so that apps stop re-implementing it. The input shape is
/// [channels, height, width]; an image is resized to height × width with <see cref="Resize"/>, its channels taken as
/// <see cref="Channels"/> says, values mapped to [<see cref="Min"/>, <see cref="Max"/>] with <see cref="Bright"/> at
/// <see cref="Max"/>, and finally <see cref="ManifestInput.Normalization"/>'s mean and std (when given) applied. Immutable.
/// </summary>
public sealed record ManifestPreprocessing
{
    /// <summary>The Omniglot bundles' preprocessing: gray, area-averaged, strokes 1.0 and paper 0.0.</summary>
    public static ManifestPreprocessing Omniglot { get; } = new()
    {
        Channels = ChannelOrder.Gray,
        Resize = ResizeMethod.Area,
        Min = 0,
        Max = 1,
        Bright = BrightPart.Strokes,
    };

    /// <summary>What the input's channels hold: gray (input.shape[0] = 1) or red, green, blue (input.shape[0] = 3).</summary>
    public required ChannelOrder Channels { get; init; }

    /// <summary>How images are brought to the input's height and width.</summary>
    public required ResizeMethod Resize { get; init; }

    /// <summary>The smallest valid input value (what <see cref="Bright"/>'s opposite maps to).</summary>
    public required float Min { get; init; }

    /// <summary>The largest valid input value (what <see cref="Bright"/> maps to); above <see cref="Min"/>.</summary>
    public required float Max { get; init; }

    /// <summary>Which part of a drawing is bright in the input, at <see cref="Max"/>: the strokes or the background.</summary>
    public required BrightPart Bright { get; init; }
}

/// <summary>What an input's channels hold, in order.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChannelOrder>))]
public enum ChannelOrder
{
    /// <summary>One luminance channel.</summary>
    [JsonStringEnumMemberName("gray")]
    Gray,

    /// <summary>Red, green, blue.</summary>
    [JsonStringEnumMemberName("rgb")]
    Rgb,
}

/// <summary>How an image is resized to the input's height and width.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResizeMethod>))]
public enum ResizeMethod
{
    /// <summary>Exact area averaging (OpenCV's INTER_AREA, PIL's box filter): each output pixel is the mean of what it covers.</summary>
    [JsonStringEnumMemberName("area")]
    Area,
}

/// <summary>Which part of an image is bright (high values) in the model's input.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BrightPart>))]
public enum BrightPart
{
    /// <summary>Strokes (ink) are bright, the background dark: Omniglot's strokes 1.0, paper 0.0.</summary>
    [JsonStringEnumMemberName("strokes")]
    Strokes,

    /// <summary>The background is bright, strokes dark, as in an ordinary photo of ink on paper.</summary>
    [JsonStringEnumMemberName("background")]
    Background,
}
