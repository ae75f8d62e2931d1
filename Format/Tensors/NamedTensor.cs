namespace FewShot.Bundles;

/// <summary>A named float32 tensor: row-major <paramref name="Values"/> of <paramref name="Shape"/>. The arrays are shared, not copied.</summary>
/// <param name="Name">The tensor's name, e.g. a parameter's "conv1.weight".</param>
/// <param name="Shape">Its dimensions.</param>
/// <param name="Values">Its values, as many as the dimensions' product.</param>
public sealed record NamedTensor(string Name, long[] Shape, float[] Values);
