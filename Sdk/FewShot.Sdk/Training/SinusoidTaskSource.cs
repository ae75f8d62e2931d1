using FewShot.Sdk.Data;

namespace FewShot.Sdk.Training;

/// <summary>Sinusoid regression tasks (the MAML paper's) with K support and Q query points.</summary>
public sealed class SinusoidTaskSource : ITaskSource
{
    private readonly SinusoidTaskGenerator _generator;

    /// <summary>Creates the source.</summary>
    public SinusoidTaskSource(int shots, int queries, SinusoidOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shots);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queries);
        Shots = shots;
        Queries = queries;
        _generator = new SinusoidTaskGenerator(options);
    }

    /// <summary>Support points per task.</summary>
    public int Shots { get; }

    /// <summary>Query points per task.</summary>
    public int Queries { get; }

    /// <inheritdoc />
    public TaskData Sample(Random random)
    {
        var task = _generator.Sample(random, Shots, Queries);
        return new TaskData(task.SupportX, [Shots, 1], task.QueryX, [Queries, 1],
            supportTargets: task.SupportY, queryTargets: task.QueryY);
    }
}
