namespace FewShot.Sdk.Tests;

/// <summary>
/// Tests that use a process-wide setting (.NET's no-garbage-collection region, libtorch's thread count) and so must not
/// share the process with tests running in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
