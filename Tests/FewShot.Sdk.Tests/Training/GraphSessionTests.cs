using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Tests.Algorithms;
using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Sdk.Tests.Training;

/// <summary>Runs of a compiled graph: outputs written in place when their shapes are fixed, and cancellation.</summary>
public sealed class GraphSessionTests
{
    [Fact]
    public void MetaStepOutputsArePreallocatedAndRewrittenByEveryRun()
    {
        var algorithm = SinusoidLearningTests.Create("maml", new Mlp(1, 8, 8, 1), new InnerLoopOptions { Steps = 1, LearningRate = 0.01f });
        using var step = new GraphSession(algorithm.BuildMetaStep(), new GraphSessionOptions { IntraOpThreads = 1 });
        using var parameters = new ParameterTensors(algorithm.MetaParameters, algorithm.Initialize(new Random(1)));
        var inputs = new OrtValue[step.Graph.Inputs.Count];
        using var outputs = step.CreateOutputs();
        parameters.Place(step, inputs);
        var sinusoids = new SinusoidTaskSource(5, 5);

        var losses = new List<float>();
        OrtValue? first = null;
        foreach (var seed in new[] { 2, 3, 2 })
        {
            using (new TaskFeeds(step, sinusoids.Sample(new Random(seed)), inputs))
            {
                step.Run(inputs, outputs);
            }

            first ??= outputs[step.OutputIndex(GraphNames.Loss)];
            Assert.Same(first, outputs[step.OutputIndex(GraphNames.Loss)]);
            losses.Add(outputs[step.OutputIndex(GraphNames.Loss)].GetTensorDataAsSpan<float>()[0]);
        }

        Assert.NotEqual(losses[0], losses[1]);
        Assert.Equal(losses[0], losses[2]);
    }

    [Fact]
    public void ACancelledTokenStopsTheRun()
    {
        var algorithm = SinusoidLearningTests.Create("maml", new Mlp(1, 8, 8, 1), new InnerLoopOptions { Steps = 1, LearningRate = 0.01f });
        using var step = new GraphSession(algorithm.BuildMetaStep(), new GraphSessionOptions { IntraOpThreads = 1 });
        using var parameters = new ParameterTensors(algorithm.MetaParameters, algorithm.Initialize(new Random(1)));
        var inputs = new OrtValue[step.Graph.Inputs.Count];
        using var outputs = step.CreateOutputs();
        parameters.Place(step, inputs);
        using var feeds = new TaskFeeds(step, new SinusoidTaskSource(5, 5).Sample(new Random(2)), inputs);

        Assert.ThrowsAny<OperationCanceledException>(() => step.Run(inputs, outputs, new CancellationToken(canceled: true)));
        step.Run(inputs, outputs, new CancellationTokenSource().Token);
        Assert.True(float.IsFinite(outputs[step.OutputIndex(GraphNames.Loss)].GetTensorDataAsSpan<float>()[0]));
    }

    [Fact]
    public void OutputsOfUnfixedShapeAreAllocatedByEachRun()
    {
        var algorithm = SinusoidLearningTests.Create("maml", new Mlp(1, 8, 8, 1), new InnerLoopOptions { Steps = 1, LearningRate = 0.01f });
        using var predict = new GraphSession(algorithm.BuildPredict(), new GraphSessionOptions { IntraOpThreads = 1 });
        using var parameters = new ParameterTensors(algorithm.MetaParameters, algorithm.Initialize(new Random(1)));
        var inputs = new OrtValue[predict.Graph.Inputs.Count];
        using var outputs = predict.CreateOutputs();
        parameters.Place(predict, inputs);

        Assert.Throws<InvalidOperationException>(() => outputs[0]);
        var task = new SinusoidTaskSource(5, 7).Sample(new Random(2));
        using (new TaskFeeds(predict, task, inputs, queryAsX: true))
        {
            predict.Run(inputs, outputs);
        }

        Assert.Equal([task.QueryCount, 1], outputs[predict.OutputIndex(GraphNames.Output)].GetTensorTypeAndShape().Shape);
    }
}
