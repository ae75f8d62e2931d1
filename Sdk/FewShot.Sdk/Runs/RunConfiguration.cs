using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FewShot.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Runs;

/// <summary>
/// Everything that defines a meta-training run, stored as run.json in its folder so that resuming, evaluating and
/// exporting rebuild exactly the same algorithm, model and data.
/// </summary>
public sealed record RunConfiguration
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "run.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutInapplicable } },
    };

    private static readonly RunConfiguration Defaults = new();

    /// <summary>maml, fomaml, metasgd, anil, reptile, protonet, relationnet, siamese, siamese-contrastive, autoencoder, finetune, metalstm, mann, ae-head, ae-generator or cactus.</summary>
    public string Algorithm { get; init; } = "maml";

    /// <summary>
    /// omniglot, fashion-mnist, sinusoid, folder or npz (<see cref="DataPath"/> an .npz of x and y): the data
    /// <see cref="RunData.Load(RunConfiguration, int?, int?)"/> reads. Data of the caller's own (a <see cref="RunData"/> built
    /// over an in-memory dataset) takes a name of its own: every name but sinusoid gets conv4 models for images and an MLP
    /// for feature vectors, and a bundle's manifest then records the name but no image preprocessing. The export refuses
    /// omniglot, fashion-mnist and folder for data those loaders did not read, whose preprocessing the manifest would describe.
    /// </summary>
    public string Dataset { get; init; } = "sinusoid";

    /// <summary>The data folder (Omniglot's or the image folders' root) or, for npz, the file; null for sinusoid.</summary>
    public string? DataPath { get; init; }

    /// <summary>
    /// What the data held when the run started (<see cref="Runs.DataFingerprint.Of"/>), so that resuming finds the run's
    /// data by its contents: the same contents at another path are the run's data moved, other contents at any path are
    /// another dataset. Null for sinusoid, data of the caller's own, and runs written before it was recorded (whose data
    /// is known by <see cref="DataPath"/> alone).
    /// </summary>
    public DataFingerprint? DataFingerprint { get; init; }

    /// <summary>
    /// Folder and npz data: this many of the training classes, chosen by a permutation seeded with <see cref="Seed"/>, are
    /// held out of training and validated on (<c>MetaTrainerOptions.ValidateEvery</c>), as the validation classes of
    /// Omniglot's paper split are; the test classes stay those of the run without. 0 (the default, and what a run.json
    /// written before this setting existed reads as): none. At least <see cref="Ways"/> (a validation episode's classes),
    /// and at most what leaves the training episodes their ways; <see cref="RunData.Load(RunConfiguration, int?, int?)"/>
    /// refuses other values, and any for other data.
    /// </summary>
    public int ValidationClasses { get; init; }

    /// <summary>
    /// Folder data whose root holds train, val and test folders: "val" (<see cref="ImageFolder.ValidationFolder"/>), whose
    /// class folders are the run's validation classes (<c>MetaTrainerOptions.ValidateEvery</c>), as the paper split's are;
    /// <c>fewshot train</c> sets it when the root has that layout. Null (the default, and what a run.json written before
    /// val folders were read, or on a root without one, reads as): none, and a val folder is not read. Excludes
    /// <see cref="ValidationClasses"/> (one source of validation classes); <see cref="RunData.Load(RunConfiguration, int?, int?)"/>
    /// refuses both, and this for other data.
    /// </summary>
    public string? ValidationFolder { get; init; }

    /// <summary>
    /// The model the run trains, as the trainer built it: its name and the shape of one example ("conv4 [1, 28, 28]",
    /// "mlp-8-16-16-3 [8]"). <see cref="Torch.TorchMetaTrainer"/> records it when it trains a run given its
    /// configuration (<see cref="Torch.TorchMetaTrainer.Run"/>) and refuses to resume a run whose model differs, which
    /// matters most for data of the caller's own, known otherwise by its <see cref="Dataset"/> name alone. Null in a
    /// request (the trainer fills it in) and in a run.json written before it was recorded (then not compared).
    /// </summary>
    public string? Model { get; init; }

    /// <summary>Omniglot split: lake or paper.</summary>
    public string Split { get; init; } = "lake";

    /// <summary>Classes per test task (and the classifier head's size for gradient methods).</summary>
    public int Ways { get; init; } = 5;

    /// <summary>Support examples per class.</summary>
    public int Shots { get; init; } = 1;

    /// <summary>Query examples per class.</summary>
    public int Queries { get; init; } = 15;

    /// <summary>Classes per training task (ProtoNets trains with more ways than it tests); defaults to <see cref="Ways"/>.</summary>
    public int? TrainWays { get; init; }

    /// <summary>Support examples per class in training; defaults to <see cref="Shots"/>.</summary>
    public int? TrainShots { get; init; }

    /// <summary>Inner-loop steps in meta-training.</summary>
    public int InnerSteps { get; init; } = 1;

    /// <summary>Inner-loop step size.</summary>
    public float InnerLearningRate { get; init; } = 0.4f;

    /// <summary>Pairs per training task of Siamese networks: a task's episode size, (train ways) × (train shots + queries), so that a pair task costs what an episode does.</summary>
    [JsonIgnore]
    public int SiamesePairs => EffectiveTrainWays * (EffectiveTrainShots + Queries) / 2;

    /// <summary>MAML++'s learned per-layer, per-step inner learning rates (LSLR; <c>InnerLoopOptions.PerStepLearningRates</c>).</summary>
    public bool PerStepLearningRates { get; init; }

    /// <summary>Proto-MAML: the head starts each task from the support's class prototypes (<c>InnerLoopOptions.PrototypeHead</c>).</summary>
    public bool PrototypeHead { get; init; }

    /// <summary>MAML++'s multi-step loss, annealed over this many iterations; 0: off (<c>MetaTrainerOptions.MultiStepLossIterations</c>).</summary>
    public int MultiStepLossIterations { get; init; }

    /// <summary>MAML++'s derivative-order annealing: first order for this many iterations; 0: off (<c>MetaTrainerOptions.FirstOrderIterations</c>).</summary>
    public int FirstOrderIterations { get; init; }

    /// <summary>Cosine annealing of the meta learning rate over this many iterations; null: constant (<c>MetaTrainerOptions.CosineIterations</c>).</summary>
    public int? CosineIterations { get; init; }

    /// <summary>Tasks per meta-iteration.</summary>
    public int MetaBatch { get; init; } = 4;

    /// <summary>Adam's step size for the meta-update.</summary>
    public double MetaLearningRate { get; init; } = 1e-3;

    /// <summary>Meta-iterations to train.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>The run's seed.</summary>
    public int Seed { get; init; }

    /// <summary>Conv4 channels (64 in the papers).</summary>
    public int Channels { get; init; } = 64;

    /// <summary>
    /// Conv4's normalization: support (the support set's statistics), instance, group, layer (all inductive) or batch
    /// (transductive batch statistics, opt-in). Unless set, the learner's default (<see cref="AlgorithmFactory.DefaultNormalization"/>:
    /// support for the MAML family, instance for the others), and run.json records it. A run.json written before this
    /// setting existed trained with batch statistics, and <see cref="Load"/> reads it so.
    /// </summary>
    public string Normalization
    {
        get => _normalization ?? AlgorithmFactory.DefaultNormalization(Algorithm).Name();
        init => _normalization = value;
    }

    private readonly string? _normalization;

    // The normalization as given (null: the learner's default), for WithoutInapplicableSettings to clear.
    private string? GivenNormalization
    {
        get => _normalization;
        init => _normalization = value;
    }

    /// <summary><see cref="Normalization"/>, parsed.</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    [JsonIgnore]
    public FeatureNormalization NormalizationMode => FeatureNormalizations.Parse(Normalization);

    /// <summary>
    /// How conv4 halves its feature maps: maxpool (the default; also what a run.json written before this setting
    /// existed trained with) or stride (MAML's Omniglot network: stride-2 convolutions, no pooling).
    /// </summary>
    public string Downsampling { get; init; } = Conv4Downsampling.MaxPool.Name();

    /// <summary><see cref="Downsampling"/>, parsed.</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    [JsonIgnore]
    public Conv4Downsampling DownsamplingMode => Conv4Downsamplings.Parse(Downsampling);

    /// <summary>Image size the data is resized to (28 for Omniglot).</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>
    /// Folder data: the channels its images become, "gray" (one channel, the luma of color images; the default, and what a
    /// run.json written before this setting trained with) or "rgb" (three). Other data: "gray", its own loaders' channels.
    /// </summary>
    public string Color { get; init; } = "gray";

    /// <summary><see cref="Color"/>, parsed.</summary>
    /// <exception cref="ArgumentException">The name is neither gray nor rgb.</exception>
    [JsonIgnore]
    public ImageColorMode ColorMode => Color switch
    {
        "gray" => ImageColorMode.Grayscale,
        "rgb" => ImageColorMode.Rgb,
        _ => throw new ArgumentException($"unknown color '{Color}': expected gray or rgb"),
    };

    /// <summary>ae-head: iterations of autoencoder pretraining before the head is meta-learned; cactus: the autoencoder's training steps; mann: iterations that train the encoder alone by the prototype loss before the memory.</summary>
    public int PretrainIterations { get; init; } = 500;

    /// <summary>ae-head: meta-learn the encoder's last layer along with the head.</summary>
    public bool TuneCodeLayer { get; init; }

    /// <summary>cactus: k-means partitions of the embedding space.</summary>
    public int Partitions { get; init; } = 5;

    /// <summary>cactus: clusters of each partition.</summary>
    public int Clusters { get; init; } = 500;

    /// <summary>
    /// Omniglot: each training episode draws all its classes from one block of this many consecutive characters
    /// (<c>Data.OmniglotBlocks</c>: one alphabet or two neighbours, so episodes come close to the within-alphabet test);
    /// null: from all training classes.
    /// </summary>
    public int? TrainBlock { get; init; }

    /// <summary>The run folder or checkpoint whose matching parameters the run started from (<c>Training.WarmStart</c>); null: a seeded initialization. Resuming does not read it again.</summary>
    public string? InitFrom { get; init; }

    /// <summary>Classes per training task, resolved.</summary>
    [JsonIgnore]
    public int EffectiveTrainWays => TrainWays ?? Ways;

    /// <summary>Support examples per class in training, resolved.</summary>
    [JsonIgnore]
    public int EffectiveTrainShots => TrainShots ?? Shots;

    /// <summary>
    /// Inner steps used to evaluate when none are given: MAML-family methods test with more steps than they train
    /// with (at least 3), except with learned per-step rates, which were learned for exactly the trained steps (more
    /// steps repeat the last step's rates and lost accuracy on models/omniglot-maml-paper: see its card); the
    /// fine-tuning baseline fits its new head for 50, ProtoNets takes none.
    /// </summary>
    [JsonIgnore]
    public int DefaultEvaluationSteps => Algorithm switch
    {
        "finetune" => 50,
        "protonet" or "cactus" or "relationnet" or "siamese" or "siamese-contrastive" => 0,
        "mann" or "ae-generator" => 1,
        "metalstm" => InnerSteps,
        _ when PerStepLearningRates => InnerSteps,
        _ => Math.Max(InnerSteps, 3),
    };

    /// <summary>Whether the data has classes (every dataset but sinusoid regression), so that <see cref="Ways"/> and <see cref="TrainWays"/> mean something.</summary>
    [JsonIgnore]
    public bool HasClasses => Dataset != "sinusoid";

    /// <summary>Whether <see cref="Split"/> means something: Omniglot's is the one dataset with a choice of splits.</summary>
    [JsonIgnore]
    public bool HasSplit => Dataset == "omniglot";

    /// <summary>
    /// This configuration with each setting that means nothing for its data at its default: <see cref="Split"/> but for
    /// Omniglot, and for sinusoid regression (no classes, a fixed 1-40-40-1 MLP, no images) the ways, the conv4 settings and
    /// the image size. run.json leaves them out and <see cref="Load"/> returns this form, so that a run.json written
    /// before, which recorded every setting, equals a request for the same run whatever either says of them.
    /// </summary>
    public RunConfiguration WithoutInapplicableSettings() => this with
    {
        Split = Applies(nameof(Split)) ? Split : Defaults.Split,
        Ways = Applies(nameof(Ways)) ? Ways : Defaults.Ways,
        TrainWays = Applies(nameof(TrainWays)) ? TrainWays : null,
        GivenNormalization = Applies(nameof(Normalization)) ? _normalization : null,
        Downsampling = Applies(nameof(Downsampling)) ? Downsampling : Defaults.Downsampling,
        Channels = Applies(nameof(Channels)) ? Channels : Defaults.Channels,
        ImageSize = Applies(nameof(ImageSize)) ? ImageSize : Defaults.ImageSize,
        Color = Applies(nameof(Color)) ? Color : Defaults.Color,
    };

    // Whether the property of that name means something for this run's data (WithoutInapplicableSettings).
    private bool Applies(string property) => property switch
    {
        nameof(Split) => HasSplit,
        nameof(Ways) or nameof(TrainWays) => HasClasses,
        nameof(Normalization) or nameof(Downsampling) or nameof(Channels) or nameof(ImageSize) => Dataset != "sinusoid",

        // Kept where it means nothing but was asked for, so that RunData.Load refuses it rather than it being dropped.
        nameof(ValidationClasses) => Dataset is "folder" or "npz" || ValidationClasses != 0,
        nameof(ValidationFolder) => ValidationFolder is not null,
        nameof(Color) => Dataset == "folder" || Color != Defaults.Color,
        _ => true,
    };

    private static void LeaveOutInapplicable(JsonTypeInfo type)
    {
        if (type.Type != typeof(RunConfiguration))
        {
            return;
        }

        foreach (var property in type.Properties)
        {
            if (property.AttributeProvider is MemberInfo { Name: var name })
            {
                property.ShouldSerialize = (run, _) => ((RunConfiguration)run).Applies(name);
            }
        }
    }

    /// <summary>Writes run.json into <paramref name="folder"/> atomically.</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllBytes(Path.Combine(folder, FileName), JsonSerializer.SerializeToUtf8Bytes(this, Json));
    }

    /// <summary>Reads run.json from a run folder, without the settings that mean nothing for its data (<see cref="WithoutInapplicableSettings"/>).</summary>
    /// <exception cref="FileNotFoundException">The folder holds no run.json.</exception>
    /// <exception cref="InvalidDataException">run.json is not valid.</exception>
    public static RunConfiguration Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{folder} is not a run folder: it has no {FileName}", path);
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            var configuration = JsonSerializer.Deserialize<RunConfiguration>(bytes, Json) ?? throw new InvalidDataException($"{path} is empty");
            using var document = JsonDocument.Parse(bytes);
            // Left out for a model without normalization layers; before the setting existed, left out of a run that trained with batch statistics.
            var recorded = document.RootElement.TryGetProperty("normalization", out _) || !configuration.Applies(nameof(Normalization));
            return (recorded ? configuration : configuration with { Normalization = FeatureNormalization.Batch.Name() }).WithoutInapplicableSettings();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a valid run configuration: {ex.Message}", ex);
        }
    }
}
