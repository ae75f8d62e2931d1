using System.CommandLine;
using FewShot.Bundles;
using FewShot.Cli.Training;
using FewShot.Runtime;
using FewShot.Sdk.Algorithms;
using FewShot.Sdk.Bundles;
using FewShot.Sdk.Data;
using FewShot.Sdk.Models;
using FewShot.Sdk.Runs;
using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;
using FewShot.Sdk.Unsupervised;

namespace FewShot.Cli.Commands;

/// <summary><c>fewshot train</c>: meta-trains into a run folder, resuming from its checkpoint.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var algorithm = new Option<string>("--algorithm") { Description = "maml, fomaml, metasgd, anil, reptile, protonet, relationnet, siamese, siamese-contrastive, autoencoder, finetune, metalstm, mann, ae-head, ae-generator or cactus", DefaultValueFactory = _ => "maml" };
        var dataset = RunOptions.Dataset();
        var data = RunOptions.Data();
        var split = RunOptions.Split();
        var ways = RunOptions.Ways();
        var shots = RunOptions.Shots();
        var queries = new Option<int>("--queries") { Description = "Query examples per class", DefaultValueFactory = _ => 15 }.AtLeast(1);
        var trainWays = new Option<int?>("--train-ways") { Description = "Classes per training task (ProtoNets trains with more)" }.AtLeast(1);
        var trainShots = new Option<int?>("--train-shots") { Description = "Support examples per class in training" }.AtLeast(1);
        var innerSteps = RunOptions.InnerSteps();
        var innerLr = new Option<float?>("--inner-lr") { Description = "Inner-loop step size (default 0.4; 0.01 for sinusoid)" }.Positive();
        var metaBatch = new Option<int>("--meta-batch") { Description = "Tasks per meta-iteration", DefaultValueFactory = _ => 4 }.AtLeast(1);
        var metaLr = new Option<double>("--meta-lr") { Description = "Adam step size of the meta-update", DefaultValueFactory = _ => 1e-3 }.Positive();
        var iterations = new Option<int?>("--iterations") { Description = $"Meta-iterations to reach (default {TrainingStop.DefaultIterations}; no limit when only --minutes is given)" }.AtLeast(1);
        var minutes = new Option<double?>("--minutes") { Description = "Train for this many minutes, then stop with a checkpoint; with --iterations, whichever comes first" }.Positive();
        var seed = new Option<int>("--seed") { Description = "The run's seed", DefaultValueFactory = _ => 0 };
        var channels = new Option<int>("--channels") { Description = "Conv4 channels, or the units of each of the MLP's two hidden layers (feature vectors, --dataset npz [n, features])", DefaultValueFactory = _ => 64 }.AtLeast(1);
        var norm = new Option<string?>("--norm")
        {
            Description = $"Conv4's normalization. support: batch norm with the support set's statistics, kept in the adapted state (MetaBN; maml, fomaml, metasgd and reptile, and their default); instance (the other learners' default), group or layer: per example; all four are inductive (a prediction does not depend on its batch); batch: the papers' transductive batch statistics (opt-in; a lone query is normalized by itself)",
        };
        norm.AcceptOnlyFromAmong([.. FeatureNormalizations.Names]);
        var downsample = new Option<string?>("--downsample")
        {
            Description = "How conv4 halves its feature maps: maxpool (default: 3×3 convolutions then 2×2 max-pooling) or stride (MAML's Omniglot network, Finn et al. 2017: stride-2 convolutions, features averaged over the last map)",
        };
        downsample.AcceptOnlyFromAmong([.. Conv4Downsamplings.Names]);
        var color = new Option<string?>("--color")
        {
            Description = "Folder data: the channels images become, gray (the default: one channel, the luma of color images) or rgb (three: for classes told apart by color); a resumed run keeps its own",
        };
        color.AcceptOnlyFromAmong("gray", "rgb");
        var imageSize = new Option<int?>("--image-size")
        {
            Description = "Folder data: the side in pixels that images are area-averaged to (default 28; 84 is miniImageNet's); conv4 halves it four times, so at least 16; recorded, and a resumed run keeps its own",
        }.AtLeast(16);
        var threads = new Option<int>("--threads") { Description = "Intra-op threads of libtorch, and of ONNX Runtime for validation (0: the library's choice; an MLP model gets 1 unless given)", DefaultValueFactory = _ => Environment.ProcessorCount }.AtLeast(0);
        var device = new Option<string>("--device") { Description = "TorchSharp device: cpu, or cuda with TorchSharp's CUDA package", DefaultValueFactory = _ => "cpu" };
        var mamlpp = new Option<bool>("--mamlpp") { Description = "MAML++ (Antoniou et al. 2019): all four pieces below, scheduled over --iterations (MSL over the first 10 %, first order for the first third, cosine over the run)" };
        var lslr = new Option<bool>("--lslr") { Description = "MAML++ LSLR: meta-learn an inner learning rate per layer and per step (exported into the adapt graphs)" };
        var prototypeHead = new Option<bool>("--prototype-head") { Description = "Proto-MAML (Triantafillou et al. 2020): maml, fomaml or metasgd start each task's linear head from the support's class prototypes (weight + 2c, bias − ‖c‖²), in training and in the exported adapt graphs" };
        var msl = new Option<int?>("--msl-iterations") { Description = "MAML++ multi-step loss: query loss after every inner step, weights annealed to the last step over this many iterations (0: off)" }.AtLeast(0);
        var firstOrder = new Option<int?>("--first-order-iterations") { Description = "MAML++ derivative-order annealing: first-order meta-gradients for this many iterations, second order after (0: off)" }.AtLeast(0);
        var cosine = new Option<bool>("--cosine-lr") { Description = "MAML++ cosine annealing of --meta-lr down to 1e-5 over --iterations" };
        var validateEvery = new Option<int>("--validate-every") { Description = "Validate every N iterations on the validation classes (Omniglot's paper split; folder data's root/val beside root/train and root/test; folder and npz data with --validation-classes): metrics.jsonl records each, fewshot plot draws them; 0: never", DefaultValueFactory = _ => 500 }.AtLeast(0);
        var validationClasses = new Option<int>("--validation-classes")
        {
            Description = "Folder and npz data: hold this many training classes, chosen by --seed, out of training and validate on them (--validate-every), to see overfitting; the test classes stay the same; at least --ways (0: none); refused for a root with its own val folder",
            DefaultValueFactory = _ => 0,
        }.AtLeast(0);
        var pretrain = new Option<int>("--pretrain-iterations") { Description = "ae-head: iterations of autoencoder pretraining on the tasks' images (labels unused) before the head is meta-learned; cactus: the autoencoder's training steps; mann: iterations that train the encoder alone by the prototype loss before the memory (0: none)", DefaultValueFactory = _ => 500 }.AtLeast(0);
        var partitions = new Option<int>("--partitions") { Description = "cactus: k-means partitions of the autoencoder's embedding space", DefaultValueFactory = _ => 5 }.AtLeast(1);
        var clusters = new Option<int>("--clusters") { Description = "cactus: clusters per partition", DefaultValueFactory = _ => 500 }.AtLeast(1);
        var tuneCode = new Option<bool>("--tune-code-layer") { Description = "ae-head: meta-learn the encoder's last layer along with the head" };
        var trainBlock = new Option<int?>("--train-block")
        {
            Description = "Omniglot: draw each training episode's classes from one block of this many consecutive characters (one alphabet or two neighbours: episodes close to the within-alphabet test); default: from all training classes",
        }.AtLeast(2);
        var initFrom = new Option<string?>("--init-from") { Description = "Start a new run from another run's checkpoint (its folder or checkpoint.npz) or from a bundle (.fewshot: its θ₀): every parameter with the same name and shape is copied, e.g. a ProtoNets encoder into MAML's conv4; the rest is initialized as usual" };
        var outFolder = new Option<string>("--out") { Description = "Run folder (resumed when it holds a checkpoint; the run's settings left out are the recorded ones)", Required = true };

        var command = new Command("train", "Meta-train a model; resumes when the run folder holds a checkpoint.")
        {
            algorithm, dataset, data, split, ways, shots, queries, trainWays, trainShots, innerSteps, innerLr, metaBatch, metaLr, iterations, minutes, seed, channels, norm, downsample, color, imageSize, threads, device, mamlpp, lslr, prototypeHead, msl, firstOrder, cosine, validateEvery, validationClasses, pretrain, tuneCode, partitions, clusters, trainBlock, initFrom, outFolder,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.Run(error, () =>
        {
            var folder = parse.GetValue(outFolder)!;
            var stop = TrainingStop.Resolve(parse.GetValue(iterations), parse.GetValue(minutes));
            var existing = TrainResume.Existing(folder);
            // Resuming needs not repeat the run's settings: each left out is the recorded run's (the data's fingerprint still
            // checks its contents), so that --out and --iterations continue any run. MAML++'s schedules keep theirs, as resuming does.
            var datasetName = TrainResume.GivenOr(parse, dataset, existing, r => r.Dataset)!;
            // A run on another dataset is another run: the folder's settings (sinusoid's inner step size, say) are not its defaults.
            var run = existing?.Dataset == datasetName ? existing : null;
            var algorithmName = TrainResume.GivenOr(parse, algorithm, run, r => r.Algorithm)!;
            var recipe = run is not null && !TrainResume.AnyGiven(parse, mamlpp, lslr, msl, firstOrder, cosine)
                ? new MamlPlusPlusOptions(run.PerStepLearningRates, run.MultiStepLossIterations, run.FirstOrderIterations, run.CosineIterations)
                : MamlPlusPlusOptions.Resolve(parse.GetValue(mamlpp), parse.GetValue(lslr), parse.GetValue(msl), parse.GetValue(firstOrder), parse.GetValue(cosine), stop);
            var dataPath = parse.GetValue(data) is { } path ? Path.GetFullPath(path) : run?.DataPath;
            if (parse.GetValue(imageSize) is { } size && datasetName != "folder")
            {
                // npz arrays and the other loaders bring their own shapes: the option would be recorded but change nothing.
                throw new ArgumentException($"--image-size {size} is the size class folders' images are resized to; {datasetName} data has its own: leave --image-size out");
            }

            var requested = new RunConfiguration
            {
                Algorithm = algorithmName,
                Dataset = datasetName,
                DataPath = dataPath,
                ValidationClasses = TrainResume.GivenOr(parse, validationClasses, run, r => r.ValidationClasses),
                ValidationFolder = datasetName == "folder" && dataPath is { } root ? ImageFolder.ValidationFolder(root) : null,
                Split = TrainResume.GivenOr(parse, split, run, r => r.Split)!,
                Ways = TrainResume.GivenOr(parse, ways, run, r => r.Ways),
                Shots = TrainResume.GivenOr(parse, shots, run, r => r.Shots),
                Queries = TrainResume.GivenOr(parse, queries, run, r => r.Queries),
                TrainWays = TrainResume.GivenOr(parse, trainWays, run, r => r.TrainWays),
                TrainShots = TrainResume.GivenOr(parse, trainShots, run, r => r.TrainShots),
                InnerSteps = TrainResume.GivenOr(parse, innerSteps, run, r => r.InnerSteps) ?? 1,
                InnerLearningRate = TrainResume.GivenOr(parse, innerLr, run, r => r.InnerLearningRate) ?? (datasetName == "sinusoid" ? 0.01f : 0.4f),
                PerStepLearningRates = recipe.PerStepLearningRates,
                PrototypeHead = TrainResume.GivenOr(parse, prototypeHead, run, r => r.PrototypeHead),
                MultiStepLossIterations = recipe.MultiStepLossIterations,
                FirstOrderIterations = recipe.FirstOrderIterations,
                CosineIterations = recipe.CosineIterations,
                MetaBatch = TrainResume.GivenOr(parse, metaBatch, run, r => r.MetaBatch),
                MetaLearningRate = TrainResume.GivenOr(parse, metaLr, run, r => r.MetaLearningRate),
                Iterations = stop.Iterations,
                Seed = TrainResume.GivenOr(parse, seed, run, r => r.Seed),
                Channels = TrainResume.GivenOr(parse, channels, run, r => r.Channels),
                Normalization = parse.GetValue(norm) ?? existing?.Normalization ?? AlgorithmFactory.DefaultNormalization(algorithmName).Name(),
                Downsampling = parse.GetValue(downsample) ?? existing?.Downsampling ?? Conv4Downsampling.MaxPool.Name(),
                Color = parse.GetValue(color) ?? existing?.Color ?? "gray",
                ImageSize = parse.GetValue(imageSize) ?? existing?.ImageSize ?? new RunConfiguration().ImageSize,
                PretrainIterations = TrainResume.GivenOr(parse, pretrain, run, r => r.PretrainIterations),
                TuneCodeLayer = TrainResume.GivenOr(parse, tuneCode, run, r => r.TuneCodeLayer),
                Partitions = TrainResume.GivenOr(parse, partitions, run, r => r.Partitions),
                Clusters = TrainResume.GivenOr(parse, clusters, run, r => r.Clusters),
                TrainBlock = TrainResume.GivenOr(parse, trainBlock, run, r => r.TrainBlock),
                InitFrom = parse.GetValue(initFrom) is { } source ? Path.GetFullPath(source) : run?.InitFrom,
            };
            requested = (requested with { DataFingerprint = DataFingerprint.Of(requested) }).WithoutInapplicableSettings();
            var resumption = TrainResume.ResumeOrStart(folder, requested, output);
            var configuration = resumption.Configuration;
            var runData = RunData.Load(configuration);
            var metaAlgorithm = AlgorithmFactory.Create(configuration, runData);
            // A new run (none in the folder, or one that wrote no checkpoint and is replaced), not a resumed one.
            if (resumption.IsNew)
            {
                // run.json records the option, and --init-from's checks read it, so a setting the model ignores would be recorded as a fact.
                if (parse.GetValue(norm) is { } givenNorm && BundleExport.FeatureNormalizationOf(metaAlgorithm.Model) == FeatureNormalizationNames.None)
                {
                    throw new ArgumentException($"--norm {givenNorm} has no effect: {configuration.Algorithm} on {configuration.Dataset} trains a {metaAlgorithm.Model.Name}, which has no normalization layers; leave --norm out");
                }

                if (parse.GetValue(downsample) is { } givenDownsampling && configuration.DownsamplingMode != Conv4Downsampling.MaxPool
                    && (metaAlgorithm.Model is Mlp || configuration.Algorithm is "relationnet" or "autoencoder" or "ae-generator" or "ae-head"))
                {
                    throw new ArgumentException($"--downsample {givenDownsampling} has no effect: {configuration.Algorithm} on {configuration.Dataset} trains a {metaAlgorithm.Model.Name}, not conv4; leave --downsample out");
                }
            }

            // An MLP's operations (the sinusoid model: 40 units) are too small to split across threads: MAML trained
            // at 845 iterations/s on 1 libtorch thread and 529 on 2 (benchmarks/README.md), so it gets 1 unless told.
            var threadCount = parse.GetResult(threads) is not { Implicit: false } && metaAlgorithm.Model is Mlp ? 1 : parse.GetValue(threads);
            if (metaAlgorithm.Model is not Mlp && TorchSetup.MallocKeepsNoBuffers(Environment.GetEnvironmentVariable("GLIBC_TUNABLES")))
            {
                error.WriteLine($"note: glibc's malloc returns libtorch's large buffers after every use, which made conv meta-training 1.5-2.1x slower on the machine FewShot is measured on; start with GLIBC_TUNABLES={TorchSetup.MallocTunables} (fewshot train restarts itself with it when GLIBC_TUNABLES has no glibc.malloc setting, unless {MallocRestart.OptOutVariable}=0)");
            }

            if (runData.Validation is null && parse.GetResult(validateEvery) is { Implicit: false } && parse.GetValue(validateEvery) > 0)
            {
                error.WriteLine(configuration.Dataset is "folder" or "npz"
                    ? "note: --validate-every does nothing here: the run holds no classes out for validation; give --validation-classes N (at least --ways) to validate on N of the training classes"
                    : $"note: --validate-every does nothing here: {configuration.Dataset} data has no validation classes (Omniglot's paper split has); measure the run with fewshot eval, which draws its test classes");
            }
            else if (runData.Validation is not null && configuration.ValidationClasses > 0 && parse.GetValue(validateEvery) == 0)
            {
                error.WriteLine($"note: the run holds {configuration.ValidationClasses} classes out of training for validation (--validation-classes), and --validate-every 0 never validates on them");
            }
            else if (runData.Validation is not null && configuration.ValidationFolder is { } validationFolder && parse.GetValue(validateEvery) == 0)
            {
                error.WriteLine($"note: the run's validation classes are the class folders of '{Path.Combine(configuration.DataPath!, validationFolder)}', and --validate-every 0 never validates on them");
            }
            else if (runData.Validation is not null && parse.GetValue(validateEvery) is var every and > 0 && !stop.Unbounded && every > stop.Iterations)
            {
                // Validations fall on multiples of --validate-every (default 500): a shorter run never reached one, without a word.
                error.WriteLine($"note: --validate-every {every}{(parse.GetResult(validateEvery) is { Implicit: false } ? "" : " (the default)")} is more than the run's {stop.Iterations} iterations, "
                    + $"so it never validates{(configuration.ValidationClasses > 0 ? $" on the {configuration.ValidationClasses} classes it holds out (--validation-classes)" : "")}; give --validate-every {stop.Iterations} or less");
            }

            // Before anything is written or prepared: an unknown device, or CUDA without TorchSharp's CUDA package, leaves no run behind.
            TorchSetup.Initialize(threadCount);
            _ = TorchSetup.Device(parse.GetValue(device)!);
            var options = new MetaTrainerOptions
            {
                Iterations = configuration.Iterations,
                MetaBatch = configuration.MetaBatch,
                MetaLearningRate = configuration.MetaLearningRate,
                MultiStepLossIterations = configuration.MultiStepLossIterations,
                FirstOrderIterations = configuration.FirstOrderIterations,
                CosineIterations = configuration.CosineIterations,
                Seed = configuration.Seed,
                TimeBudget = stop.TimeBudget,
                Session = new GraphSessionOptions { IntraOpThreads = threadCount },
                ValidateEvery = runData.Validation is null ? 0 : parse.GetValue(validateEvery),
                ValidationSteps = configuration.DefaultEvaluationSteps,
            };
            if (runData.Train is CactusTaskSource cactus)
            {
                // Its tasks need an autoencoder and k-means first: minutes that --minutes should not count.
                output.WriteLine($"Training the autoencoder ({configuration.PretrainIterations} steps) and clustering its embeddings ({configuration.Partitions} partitions of {configuration.Clusters})...");
                cactus.Prepare();
            }

            var initial = StartingPoint(folder, configuration, metaAlgorithm, output);
            // Before the run's first write: a second process on this folder stops here, having written nothing.
            using var runLock = RunFolderLock.Acquire(folder);
            configuration.Save(folder); // only now: bad data, options or a source that fits nothing leave no run behind
            var train = Trainers.Create(parse.GetValue(device)!, threadCount, configuration, metaAlgorithm, runData, options, error, initial);
            var status = new TrainingStatus(stop, metaAlgorithm.Task == TaskKind.Classification ? "accuracy" : "mse");
            TrainingResult result;
            try
            {
                result = ProgressDisplay.Run(output, TerminalOutput.IsTerminal(output), status, progress => train(folder, progress, cancellationToken));
            }
            catch (OperationCanceledException) when (File.Exists(Path.Combine(folder, Checkpoint.FileName)))
            {
                // The trainer checkpointed its last finished iteration before stopping: say where, so the user knows what is kept.
                var saved = Checkpoint.Load(Path.Combine(folder, Checkpoint.FileName), metaAlgorithm.MetaParameters).Iteration;
                output.WriteLine($"Stopped at iteration {saved} of {configuration.Iterations} (interrupted); the checkpoint holds it: run the same command again to continue. Run folder: {folder}");
                throw;
            }

            if (LibTorchOneDnn.Rejection is { } rejection)
            {
                error.WriteLine($"note: {rejection}");
            }

            output.WriteLine(result.Completed
                ? $"Trained {configuration.Algorithm} for {result.Iteration} iterations; run folder: {folder}"
                : stop.Unbounded
                    ? $"Stopped at iteration {result.Iteration} after {stop.TimeBudget!.Value.TotalMinutes:0.##} minutes; run again to continue. Run folder: {folder}"
                    : $"Stopped at iteration {result.Iteration} of {configuration.Iterations} (time budget); run again to continue. Run folder: {folder}");
            return 0;
        }));
        return command;
    }

    /// <summary>A new warm-started run's θ (null otherwise: a resumed run continues from its own checkpoint).</summary>
    private static float[][]? StartingPoint(string folder, RunConfiguration configuration, MetaAlgorithm algorithm, TextWriter output)
    {
        if (configuration.InitFrom is null || File.Exists(Path.Combine(folder, Checkpoint.FileName)))
        {
            return null;
        }

        // The two conv4s have the same parameter names and shapes, so the copy alone would not notice the mismatch. A run's
        // checkpoint.npz given by its path is that run's, and is checked as its folder is.
        var sourceFolder = Directory.Exists(configuration.InitFrom) ? configuration.InitFrom
            : Path.GetFileName(configuration.InitFrom) == Checkpoint.FileName ? Path.GetDirectoryName(configuration.InitFrom)
            : null;
        var source = sourceFolder is not null && File.Exists(Path.Combine(sourceFolder, RunConfiguration.FileName))
            ? RunConfiguration.Load(sourceFolder)
            : null;
        if (source is not null && source.DownsamplingMode != configuration.DownsamplingMode)
        {
            throw new ArgumentException($"{configuration.InitFrom} trained conv4 with --downsample {source.Downsampling}, this run has {configuration.Downsampling}: "
                + $"their weights have the same shapes but not the same meaning; pass --downsample {source.Downsampling}");
        }

        if (source is not null && source.NormalizationMode != configuration.NormalizationMode)
        {
            // Allowed (a run may train a new normalization into copied weights), but easy to get by accident now that the
            // MAML family's default (support) differs from the other learners' (instance).
            output.WriteLine($"Note: {configuration.InitFrom} trained with --norm {source.Normalization} and this run uses --norm {configuration.Normalization}: "
                + $"the copied scales and shifts meet other statistics, so the run does not start from the source's function; pass --norm {source.Normalization} to start from it");
        }

        var specs = algorithm.MetaParameters;
        var fresh = algorithm.Initialize(configuration.Seed);
        var checkpoint = WarmStart.CheckpointPath(configuration.InitFrom);
        if (source is null && WarmStart.BundleManifest(checkpoint) is { } bundle)
        {
            // The same two checks for a bundle, from its manifest: "conv4" or "conv4-strided", with "-encoder" when headless.
            static string Body(string model) => model.EndsWith("-encoder", StringComparison.Ordinal) ? model[..^"-encoder".Length] : model;
            if (Body(bundle.Model) != Body(algorithm.Model.Name) && Body(bundle.Model).StartsWith("conv4", StringComparison.Ordinal) && Body(algorithm.Model.Name).StartsWith("conv4", StringComparison.Ordinal))
            {
                throw new ArgumentException($"{configuration.InitFrom} holds a {bundle.Model} and this run trains a {algorithm.Model.Name}: "
                    + "their weights have the same shapes but not the same meaning; pass the bundle's --downsample");
            }

            // A model without normalization layers (the MLP) has no scales and shifts to meet other statistics, and "none" is no --norm.
            if (bundle.FeatureNormalization is { } bundleNorm && bundleNorm != FeatureNormalizationNames.None && bundleNorm != configuration.Normalization)
            {
                output.WriteLine($"Note: {configuration.InitFrom} normalizes with {bundleNorm} and this run uses --norm {configuration.Normalization}: "
                    + $"the copied scales and shifts meet other statistics, so the run does not start from the bundle's function; pass --norm {bundleNorm} to start from it");
            }
        }

        var start = WarmStart.Apply(checkpoint, specs, fresh);
        output.WriteLine(WarmStartLine(checkpoint, start));
        return start.Values;
    }

    /// <summary>What a warm start copied and what it initialized as usual, named ("Starting from X: 1 parameter copied, 2 initialized as usual (head.weight, head.bias)").</summary>
    internal static string WarmStartLine(string checkpoint, WarmStartResult start) =>
        $"Starting from {checkpoint}: {Counted.Of(start.Copied.Count, "parameter", "parameters")} copied, {start.Fresh.Count} initialized as usual"
        + (start.Fresh.Count == 0 ? "" : $" ({string.Join(", ", start.Fresh)})");
}
