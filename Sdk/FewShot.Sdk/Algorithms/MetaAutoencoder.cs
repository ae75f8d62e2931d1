using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// A meta-learned autoencoder: MAML whose inner loop adapts to a task's unlabeled support set by reconstruction
/// loss, meta-trained on the reconstruction error of the task's queries. Adapted, it scores inputs by their
/// reconstruction error (anomaly detection), and its latent code classifies by nearest prototype.
/// </summary>
public sealed class MetaAutoencoder(ConvAutoencoder model, InnerLoopOptions? inner = null) : GradientLearner(model, TaskKind.Reconstruction, inner)
{
    /// <inheritdoc />
    public override string Name => "autoencoder";

    /// <summary>
    /// Model parameters (adapted), labelled support and inputs → logits over the support's classes: the negative
    /// squared distance of each input's latent code to the mean code of each class.
    /// </summary>
    public TaskGraph BuildLatentClassifier()
    {
        var autoencoder = (ConvAutoencoder)Model;
        var w = new TaskGraphWriter("autoencoder_latent_classifier", Model, TaskKind.Classification);
        var parameters = w.Parameters(Model.Parameters);
        var supportX = w.Examples(GraphNames.SupportX, GraphNames.SupportCount);
        var supportY = w.Targets(GraphNames.SupportY, GraphNames.SupportCount)!;
        var x = w.Examples(GraphNames.X, GraphNames.QueryCount);
        var prototypes = Prototypes.Mean(w.Graph, autoencoder.Encode(w.Graph, supportX, parameters), supportY);
        var logits = Prototypes.Logits(w.Graph, autoencoder.Encode(w.Graph, x, parameters), prototypes);
        w.Output(logits, GraphNames.Output, [GraphNames.QueryCount, (Dim)"classes"]);
        return w.Finish(TaskGraphRole.Predict);
    }
}
