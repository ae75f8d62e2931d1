namespace FewShot.Tests.Shared;

/// <summary>
/// Tests that depend on something process-wide (the whole process's memory, .NET's no-garbage-collection region, which
/// other tests' allocations would use up, libtorch's thread count) and so must not share the process with tests
/// running in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
