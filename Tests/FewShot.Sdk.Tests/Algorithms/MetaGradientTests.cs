using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Models;
using FewShot.Sdk.Training;
using Microsoft.ML.OnnxRuntime;

namespace FewShot.Sdk.Tests.Algorithms;

/// <summary>
/// The meta-gradients the compiled graphs output agree with central finite differences of the query loss after
/// adaptation, along random directions: second order for MAML and Meta-SGD; for FOMAML the graph must instead
/// match the first-order approximation, which differs from the true derivative.
/// </summary>
public sealed class MetaGradientTests
{
    // float32 graphs: with e = 1e-3 the rounding error of central differences is about 1e-7*|L|/e = 1e-4 relative
    // and the truncation error O(e^2) is smaller, so 3e-3 relative (to |g.v| + 1e-3) separates right from wrong.
    // The MLP uses ReLU, whose kinks make finite differences meaningless when a step crosses one: e = 1e-3 with
    // these seeds crosses none, while e = 1e-2 does and then disagrees by up to 60% for every algorithm alike.
    private const float Epsilon = 1e-3f;
    private const double Tolerance = 3e-3;

    public static TheoryData<string> ExactAlgorithms => new() { "maml", "metasgd", "anil" };

    [Theory]
    [MemberData(nameof(ExactAlgorithms))]
    public void MetaGradientMatchesFiniteDifferences(string name)
    {
        var algorithm = SinusoidLearningTests.Create(name, new Mlp(1, 8, 8, 1), new InnerLoopOptions { Steps = 2, LearningRate = 0.05f });
        var (directional, numeric) = Compare(algorithm, seed: 1);

        Assert.True(Math.Abs(directional - numeric) <= Tolerance * (Math.Abs(numeric) + 1e-3),
            $"{name}: graph meta-gradient · v = {directional}, finite differences = {numeric}");
    }

    [Fact]
    public void FirstOrderMamlDropsTheSecondOrderTerm()
    {
        var algorithm = new FirstOrderMaml(new Mlp(1, 8, 8, 1), TaskKind.Regression, new InnerLoopOptions { Steps = 2, LearningRate = 0.05f });
        var (directional, numeric) = Compare(algorithm, seed: 1);

        Assert.True(Math.Abs(directional - numeric) > Tolerance * (Math.Abs(numeric) + 1e-3),
            $"first-order meta-gradient · v = {directional} should differ from the exact {numeric}");
    }

    private static (double Directional, double Numeric) Compare(GradientLearner algorithm, int seed)
    {
        var random = new Random(seed);
        var values = algorithm.Initialize(random);
        var direction = values.Select(v => v.Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        var task = new SinusoidTaskSource(5, 5).Sample(new Random(seed + 1));
        using var step = new GraphSession(algorithm.BuildMetaStep(), new GraphSessionOptions { IntraOpThreads = 1 });

        var (_, gradients) = Run(step, algorithm, values, task);
        var directional = gradients.Select((g, p) => g.Select((x, i) => (double)x * direction[p][i]).Sum()).Sum();
        var plus = Run(step, algorithm, Shift(values, direction, Epsilon), task).Loss;
        var minus = Run(step, algorithm, Shift(values, direction, -Epsilon), task).Loss;
        return (directional, (plus - minus) / (2 * Epsilon));
    }

    private static float[][] Shift(float[][] values, float[][] direction, float by) =>
        values.Select((v, p) => v.Select((x, i) => x + (by * direction[p][i])).ToArray()).ToArray();

    private static (double Loss, float[][] Gradients) Run(GraphSession step, MetaAlgorithm algorithm, float[][] values, TaskData task)
    {
        using var parameters = new ParameterTensors(algorithm.MetaParameters, values);
        var inputs = new OrtValue[step.Graph.Inputs.Count];
        using var outputs = step.CreateOutputs();
        parameters.Place(step, inputs);
        using (new TaskFeeds(step, task, inputs))
        {
            step.Run(inputs, outputs);
        }

        var loss = outputs[step.OutputIndex(GraphNames.Loss)].GetTensorDataAsSpan<float>()[0];
        var gradients = algorithm.MetaParameters.Select(p => outputs[step.OutputIndex(GraphNames.Gradient(p.Name))].GetTensorDataAsSpan<float>().ToArray()).ToArray();
        return (loss, gradients);
    }
}
