using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// Every gradient-based learner meta-trains sinusoid regression on TorchSharp: evaluated through the exported ONNX
/// adapt and predict graphs (what ships), the error after adaptation falls well below the unadapted error.
/// </summary>
public sealed class TorchLearningTests
{
    /// <summary>The settings of the ONNX trainer's own sinusoid tests (SinusoidLearningTests).</summary>
    public static TheoryData<string, int, float, int> Settings => new()
    {
        { "maml", 1, 0.01f, 10 },
        { "fomaml", 1, 0.01f, 10 },
        { "metasgd", 1, 0.01f, 1 },
        { "anil", 1, 0.1f, 10 },
        { "reptile", 5, 0.02f, 10 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void AdaptationBeatsTheUnadaptedInitialization(string name, int innerSteps, float innerLearningRate, int evaluationSteps)
    {
        var algorithm = Algorithms.SinusoidLearningTests.Create(name, Mlp.Sinusoid(), new InnerLoopOptions { Steps = innerSteps, LearningRate = innerLearningRate });
        var tasks = new SinusoidTaskSource(shots: 10, queries: 10);
        var trainer = new TorchMetaTrainer(algorithm, tasks, new MetaTrainerOptions { Iterations = 300, MetaBatch = 4, MetaLearningRate = 3e-3, Seed = 1 }) { Threads = 1 };

        var trained = trainer.Train();
        var before = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 50, steps: 0, seed: 7);
        var after = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 50, steps: evaluationSteps, seed: 7);

        Assert.True(after.Metric.Mean < 0.6 * before.Metric.Mean,
            $"{name}: MSE after {evaluationSteps} steps {after.Metric} is not well below the unadapted {before.Metric}");
    }
}
