namespace FewShot.Cli.Tests;

/// <summary>
/// Tests that depend on a process-wide state (.NET's no-garbage-collection region, which another test's allocations
/// would use up) and so must not share the process with tests running in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
