using FewShot.Sdk.Models;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// A meta-learning algorithm, stated as the three graphs it compiles: the meta-training step for one task,
/// the adaptation to a support set, and prediction with the adapted state. The trainer, the evaluator and the
/// bundle exporter run these same graphs, so what is trained is exactly what ships.
/// </summary>
public abstract class MetaAlgorithm
{
    /// <summary>Binds the algorithm to a model and a kind of task.</summary>
    protected MetaAlgorithm(IFewShotModel model, TaskKind task)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Task = task;
    }

    /// <summary>The algorithm's command-line name, e.g. "maml".</summary>
    public abstract string Name { get; }

    /// <summary>The network.</summary>
    public IFewShotModel Model { get; }

    /// <summary>Values per example of the predict graph's output: the model's, unless the algorithm puts its own network after it (MANN).</summary>
    public virtual int OutputSize => Model.OutputSize;

    /// <summary>What the tasks ask.</summary>
    public TaskKind Task { get; }

    /// <summary>The tensors the meta-optimizer learns: the model's parameters and any of the algorithm's own.</summary>
    public virtual IReadOnlyList<ParameterSpec> MetaParameters => Model.Parameters;

    /// <summary>The parameters that adaptation changes (empty for prototype methods, whose adapted state is the prototypes).</summary>
    public abstract IReadOnlyList<string> AdaptedParameters { get; }

    /// <summary>Meta-parameters → (support, query) → loss, metric and one "grad.*" output per meta-parameter.</summary>
    public abstract TaskGraph BuildMetaStep();

    /// <summary>Meta-parameters and support → adapted state, unrolled over <paramref name="steps"/> steps where that applies.</summary>
    public abstract TaskGraph BuildAdapt(int steps);

    /// <summary>Model parameters (and prototypes) and inputs → output (and score).</summary>
    public abstract TaskGraph BuildPredict();

    /// <summary>The tensors the adapt graph takes (the predict graph takes the model's parameters of them); by default the meta-parameters.</summary>
    public virtual IReadOnlyList<ParameterSpec> StateParameters => MetaParameters;

    /// <summary>
    /// Values of <see cref="StateParameters"/> from the meta-learned values: by default the meta-parameters
    /// themselves. The evaluator and the bundle exporter both use this, so they cannot disagree.
    /// </summary>
    public virtual (IReadOnlyList<ParameterSpec> Specs, float[][] Values) DeploymentState(float[][] metaParameters) =>
        (StateParameters, metaParameters);

    /// <summary>
    /// Which meta-parameters the meta-update changes at 0-based <paramref name="iteration"/>, in <see cref="MetaParameters"/>
    /// order; null (the default) for all of them. Staged algorithms (pretrain, then meta-learn with the pretrained part
    /// frozen) freeze some; the TorchSharp trainer then leaves those tensors, and their optimizer state, untouched.
    /// </summary>
    public virtual IReadOnlyList<bool>? TrainedAt(int iteration) => null;

    /// <summary>Fresh meta-parameter values, in <see cref="MetaParameters"/> order.</summary>
    public float[][] Initialize(Random random) => MetaParameters.Select(p => p.Initialize(random)).ToArray();

    /// <summary>The starting values of a run with this seed (what a new run of the trainer begins from).</summary>
    public float[][] Initialize(int seed) => Initialize(SeedSequence.For(seed, SeedSequence.Purpose.Initialization, 0));
}
