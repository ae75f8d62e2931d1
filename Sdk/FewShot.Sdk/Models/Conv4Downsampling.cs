namespace FewShot.Sdk.Models;

/// <summary>How each of <see cref="Conv4"/>'s blocks halves its feature map.</summary>
public enum Conv4Downsampling
{
    /// <summary>
    /// A 3×3 convolution with stride 1, then 2×2 max-pooling (Vinyals et al., ProtoNets, and MAML on MiniImagenet); the
    /// last map is flattened (1×1 on 28×28 inputs). The default.
    /// </summary>
    MaxPool,

    /// <summary>
    /// A 3×3 convolution with stride 2 and no pooling (MAML's Omniglot network, Finn et al. 2017); the features are the
    /// last map's spatial mean. A quarter of the convolution work of <see cref="MaxPool"/>, and no pooling to route
    /// gradients through.
    /// </summary>
    Stride,
}

/// <summary>The names of <see cref="Conv4Downsampling"/> (command line, run.json).</summary>
public static class Conv4Downsamplings
{
    /// <summary>The names the command line and run.json accept, in <see cref="Conv4Downsampling"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["maxpool", "stride"];

    /// <summary>The lowercase name: "maxpool" or "stride".</summary>
    public static string Name(this Conv4Downsampling mode) => Names[(int)mode];

    /// <summary>Parses a name of <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">The name is not one of them.</exception>
    public static Conv4Downsampling Parse(string name)
    {
        var index = Names.ToList().IndexOf(name);
        return index >= 0
            ? (Conv4Downsampling)index
            : throw new ArgumentException($"unknown conv4 downsampling '{name}': expected one of {string.Join(", ", Names)}", nameof(name));
    }
}
