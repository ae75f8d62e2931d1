using FewShot.Exporters.Graphs;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Algorithms;

/// <summary>
/// Each gradient-based algorithm meta-trains sinusoid regression on TorchSharp: evaluated through the exported ONNX adapt
/// and predict graphs (what ships), the error after adaptation falls well below the unadapted error.
/// </summary>
public sealed class SinusoidLearningTests
{
    public static TheoryData<string> Algorithms => new() { "maml", "fomaml", "metasgd", "anil", "reptile" };

    /// <summary>Inner settings per algorithm: Meta-SGD's learned rates are tuned to its training step count, ANIL's linear head needs a larger step.</summary>
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
        var inner = new InnerLoopOptions { Steps = innerSteps, LearningRate = innerLearningRate };
        var algorithm = Create(name, Mlp.Sinusoid(), inner);
        var tasks = new SinusoidTaskSource(shots: 10, queries: 10);
        var trainer = new TorchMetaTrainer(algorithm, tasks, new MetaTrainerOptions { Iterations = 300, MetaBatch = 4, MetaLearningRate = 3e-3, Seed = 1 }) { Threads = 1 };

        var trained = trainer.Train();
        var before = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 50, steps: 0, seed: 7);
        var after = Evaluator.Evaluate(algorithm, trained.Parameters, tasks, episodes: 50, steps: evaluationSteps, seed: 7);

        Assert.True(after.Metric.Mean < 0.6 * before.Metric.Mean,
            $"{name}: MSE after {evaluationSteps} steps {after.Metric} is not well below the unadapted {before.Metric}");
    }

    [Fact]
    public void EveryGraphPassesTheOnnxChecker()
    {
        foreach (var name in Algorithms)
        {
            var algorithm = Create(name, Mlp.Sinusoid(), new InnerLoopOptions { Steps = 2, LearningRate = 0.01f });
            foreach (var graph in new[] { algorithm.BuildMetaStep(), algorithm.BuildAdapt(3), algorithm.BuildPredict() })
            {
                OnnxChecker.AssertValid(OnnxModelFile.ToBytes(graph.Model), $"{name} {graph.Role}");
            }
        }
    }

    internal static GradientLearner Create(string name, Mlp model, InnerLoopOptions inner) => name switch
    {
        "maml" => new Maml(model, TaskKind.Regression, inner),
        "fomaml" => new FirstOrderMaml(model, TaskKind.Regression, inner),
        "metasgd" => new MetaSgd(model, TaskKind.Regression, inner),
        "anil" => new Anil(model, TaskKind.Regression, inner),
        _ => new Reptile(model, TaskKind.Regression, inner),
    };
}
