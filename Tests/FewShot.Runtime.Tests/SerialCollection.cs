namespace FewShot.Runtime.Tests;

/// <summary>Tests that measure the whole process (memory) and so must not share it with tests running in parallel.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
