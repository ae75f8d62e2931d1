using FewShot.Runtime.Bundles;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Tests.Data;
using FewShot.Sdk.Torch.Learning;
using FewShot.Sdk.Training;
using TorchSharp;
using FewShot.Tests.Shared;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>
/// Proto-MAML's head (<see cref="InnerLoopOptions.PrototypeHead"/>): exported so that the runtime, stepping adapt.onnx
/// or running adapt_k.onnx, adapts as TorchSharp does; from a zero learned head it starts as a Prototypical Network
/// over the same body; and learners it does not fit refuse it with the reason. (Its meta-gradients are checked against
/// the ONNX meta-step in <see cref="LearnerParityTests"/>.)
/// </summary>
public sealed class PrototypeHeadTests
{
    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 3)]
    [InlineData(true, 3)]
    public void TheRuntimeAdaptsAsTorchSharpDoes(bool perStepRates, int steps)
    {
        using var folder = new TempDirectory();
        var algorithm = new Maml(ParityTasks.Conv4(), TaskKind.Classification, new InnerLoopOptions { Steps = 2, LearningRate = 0.1f, PrototypeHead = true, PerStepLearningRates = perStepRates });
        var values = algorithm.Initialize(new Random(3));
        LearnerParityTests.PerturbHead(algorithm, values, new Random(8));
        var task = ParityTasks.Task(TaskKind.Classification, algorithm.Model, seed: 9);
        using var model = RuntimeParity.AssertAdaptsAsTorchSharp(folder, algorithm, values, task, steps, bundleSteps: 2).Model;

        // adapt_k.onnx starts the head once and unrolls K = 2 steps: the stepped graph's two runs, which start it at step 0 only.
        var labels = task.SupportLabels!.Select(l => (int)l).ToArray();
        var unrolled = model.Adapt(task.SupportX, labels, new AdaptOptions { Unrolled = true });
        var stepped = model.Adapt(task.SupportX, labels, new AdaptOptions { Steps = 2 });
        foreach (var tensor in stepped.Tensors)
        {
            var error = ParityAssert.RelativeError(unrolled.Tensors.Single(t => t.Name == tensor.Name).Values.ToArray(), tensor.Values.ToArray());
            Assert.True(error <= 1e-5, $"adapt_k's '{tensor.Name}' is {error:E2} away from two steps of adapt.onnx");
        }
    }

    [Fact]
    public void AHeadAdaptedToFewerClassesThanItsSizeLeavesTheAbsentOnesOutOfItsSteps()
    {
        using var folder = new TempDirectory();
        var algorithm = new Maml(ParityTasks.Conv4(), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 0.1f, PrototypeHead = true });
        var values = algorithm.Initialize(new Random(5));
        LearnerParityTests.PerturbHead(algorithm, values, new Random(6));
        var full = ParityTasks.Task(TaskKind.Classification, algorithm.Model, seed: 14);
        var task = new TaskData(full.SupportX, full.SupportShape, full.QueryX, full.QueryShape, full.SupportLabels!.Select(l => l % 3).ToArray(), full.QueryLabels!.Select(l => l % 3).ToArray());

        var (model, adapted) = RuntimeParity.AssertAdaptsAsTorchSharp(folder, algorithm, values, task, steps: 2, bundleSteps: 1);
        using var loaded = model;
        var bias = adapted.Tensors.Single(t => t.Name == "head.bias").Values.ToArray();
        Assert.All(bias[..3], b => Assert.True(b > -1e6f, $"a present class's bias is {b}"));
        Assert.All(bias[3..], b => Assert.True(b < -1e8f, $"an absent class's bias is {b}, within reach of the present classes'"));
        var predictions = adapted.Predict(task.QueryX);

        // The runtime reports the adapted classes alone; the inner steps (held to TorchSharp's above, where the absent
        // classes' logits are pushed out of reach) saw a softmax over those classes too.
        Assert.All(predictions, p =>
        {
            Assert.Equal(3, p.Probabilities.Count);
            Assert.Equal(1.0, p.Probabilities.Sum(v => (double)v), 5);
        });
    }

    [Fact]
    public void FromAZeroHeadAVanishingStepPredictsAsPrototypicalNetworksOverTheSameBody()
    {
        using var folder = new TempDirectory();
        var maml = new Maml(ParityTasks.Conv4(), TaskKind.Classification, new InnerLoopOptions { Steps = 1, LearningRate = 1e-7f, PrototypeHead = true });
        var values = maml.Initialize(new Random(4));
        var protoNet = new ProtoNet(ParityTasks.Conv4(outputs: 0));
        var body = protoNet.MetaParameters.Select(p => values[maml.MetaParameters.ToList().FindIndex(m => m.Name == p.Name)]).ToArray();
        var task = ParityTasks.Task(TaskKind.Classification, maml.Model, seed: 12, shots: 3, queries: 4);
        var run = new RunConfiguration { DataPath = RepoPaths.Omniglot, Dataset = "omniglot" };
        BundleExport.Write(folder.File("maml.fewshot"), maml, values, run, iterations: 1, steps: 1, measured: null);
        BundleExport.Write(folder.File("protonet.fewshot"), protoNet, body, run with { Algorithm = "protonet" }, iterations: 1, steps: 1, measured: null);

        var labels = task.SupportLabels!.Select(l => (int)l).ToArray();
        using var mamlModel = FewShotModel.Load(folder.File("maml.fewshot"), new RuntimeOptions { IntraOpThreads = 1 });
        using var protoModel = FewShotModel.Load(folder.File("protonet.fewshot"), new RuntimeOptions { IntraOpThreads = 1 });
        var proto = protoModel.Adapt(task.SupportX, labels).Predict(task.QueryX);
        var headed = mamlModel.Adapt(task.SupportX, labels).Predict(task.QueryX);

        var worst = 0.0;
        for (var i = 0; i < proto.Count; i++)
        {
            Assert.Equal(proto[i].ClassIndex, headed[i].ClassIndex);
            worst = Math.Max(worst, proto[i].Probabilities.Zip(headed[i].Probabilities, (a, b) => (double)Math.Abs(a - b)).Max());
        }

        Assert.True(worst <= 1e-4, $"the prototype head's probabilities are {worst:E2} away from ProtoNets'");
        Assert.Contains(proto, p => p.Probabilities.Max() < 0.99f);
    }

    [Fact]
    public void LearnersItDoesNotFitRefuseItWithTheReason()
    {
        var options = new InnerLoopOptions { Steps = 1, LearningRate = 0.1f, PrototypeHead = true };
        Assert.Contains("θ − θ′", Assert.Throws<ArgumentException>(() => new Reptile(ParityTasks.Conv4(), TaskKind.Classification, options)).Message);
        Assert.Contains("head alone", Assert.Throws<ArgumentException>(() => new Anil(ParityTasks.Conv4(), TaskKind.Classification, options)).Message);
        Assert.Contains("Regression", Assert.Throws<ArgumentException>(() => new Maml(ParityTasks.Mlp(), TaskKind.Regression, options)).Message);
        Assert.Contains("linear classification head", Assert.Throws<ArgumentException>(() => new Maml(ParityTasks.Conv4(outputs: 0), TaskKind.Classification, options)).Message);

        var data = RunData.Load(new RunConfiguration { Dataset = "sinusoid" });
        Assert.Contains("maml, fomaml and metasgd", Assert.Throws<ArgumentException>(() =>
            AlgorithmFactory.Create(new RunConfiguration { Dataset = "omniglot", Algorithm = "protonet", PrototypeHead = true }, data)).Message);
    }

    [Fact]
    public void ItsLearnedHeadStartsAtZeroAndItTrainsTaskByTask()
    {
        var maml = new Maml(ParityTasks.Conv4(), TaskKind.Classification, new InnerLoopOptions { PrototypeHead = true });
        var values = maml.Initialize(new Random(1));
        var head = ((IHeadedModel)maml.Model).HeadParameterNames;
        Assert.All(maml.MetaParameters.Select((p, i) => (p, i)).Where(x => head.Contains(x.p.Name)), x => Assert.All(values[x.i], v => Assert.Equal(0f, v)));
        Assert.Contains(maml.MetaParameters.Select((p, i) => (p, i)).Where(x => !head.Contains(x.p.Name)), x => values[x.i].Any(v => v != 0));
        Assert.False(TorchLearners.Create(maml).CanBatch);
    }
}
