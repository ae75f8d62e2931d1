using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// A meta-batch run as one pass (tasks stacked, batched matrix products) gives the mean of the
/// per-task meta-steps: the same loss, metric and meta-gradient, within 1e-5 of each gradient's norm.
/// </summary>
public sealed class BatchedParityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Learners => new() { "maml-mlp", "fomaml-mlp", "metasgd-mlp", "anil-mlp", "reptile-mlp" };

    [Theory]
    [MemberData(nameof(Learners))]
    public void OnePassEqualsTheMeanOfPerTaskSteps(string name)
    {
        var (algorithm, values, _) = LearnerParityTests.Setup(name);
        var tasks = Enumerable.Range(0, 3).Select(seed => ParityTasks.Task(algorithm.Task, algorithm.Model, seed: 20 + seed)).ToArray();
        var learner = TorchLearners.Create(algorithm);
        Assert.True(learner.CanBatch);

        using var scope = torch.NewDisposeScope();
        var meta = ParityTasks.Leaves(algorithm.MetaParameters, values);
        var steps = tasks.Select(t => learner.MetaStep(meta, new TorchTask(t))).ToArray();
        var batched = learner.MetaStep(meta, new TorchTaskBatch(tasks));

        Assert.Equal(steps.Average(s => s.Loss), batched.Loss, 4);
        Assert.Equal(steps.Average(s => s.Metric), batched.Metric, 5);
        var expected = algorithm.MetaParameters.Select((_, p) => Mean(steps.Select(s => ParityTasks.Values(s.Gradients[p])).ToArray())).ToArray();
        var names = algorithm.MetaParameters.Select(p => p.Name).ToArray();
        var worst = ParityAssert.AllClose(batched.Gradients.Select(ParityTasks.Values).ToArray(), expected, names, $"{name} batched meta-gradient of");
        output.WriteLine($"{name}: largest relative error of the batched meta-gradients {worst:E2}");
    }

    [Fact]
    public void Conv4RunsTaskByTask()
    {
        var (algorithm, _, _) = LearnerParityTests.Setup("maml-conv4");

        Assert.False(TorchLearners.Create(algorithm).CanBatch);
    }

    [Fact]
    public void TasksOfDifferentShapesDoNotStack()
    {
        var model = ParityTasks.Conv4();
        var tasks = new[] { ParityTasks.Task(Sdk.Algorithms.TaskKind.Classification, model, 1), ParityTasks.Task(Sdk.Algorithms.TaskKind.Classification, model, 2, shots: 3) };

        Assert.False(TorchTaskBatch.CanStack(tasks));
        Assert.Throws<ArgumentException>(() => new TorchTaskBatch(tasks));
    }

    private static float[] Mean(float[][] arrays) =>
        Enumerable.Range(0, arrays[0].Length).Select(i => arrays.Average(a => a[i])).ToArray();
}
