using FewShot.Exporters.Graphs;
using FewShot.Sdk.Models;
using DataType = FewShot.Exporters.Onnx.TensorProto.Types.DataType;

namespace FewShot.Sdk.Algorithms;

/// <summary>
/// Proto-MAML's head start (Triantafillou et al., 2020; <see cref="InnerLoopOptions.PrototypeHead"/>) as graph
/// fragments: from the support's class prototypes c [N, F], the offsets 2c for the head's weight [N, F] and −‖c‖²
/// for its bias [N]. With them the head's logit for class k is 2c·x − ‖c‖² + (the learned head), which is ProtoNets'
/// −‖x − c‖² up to a term that is the same for every class. A class of the head with no support example gets a bias
/// offset of −<see cref="AbsentClassBias"/>, so that it is never predicted (an app may adapt a 20-way head to 5 classes).
/// </summary>
internal static class PrototypeHead
{
    /// <summary>How far below the others an absent class's logit is pushed: its probability underflows to 0.</summary>
    public const float AbsentClassBias = 1e9f;

    /// <summary>Checks that the model is a classifier with a linear head of weight [N, F] and bias [N].</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static IHeadedModel Check(IFewShotModel model, string learner)
    {
        if (model is not IHeadedModel { HeadParameterNames.Count: 2 } headed)
        {
            throw new ArgumentException($"{learner} with a prototype head needs a model with a linear classification head; {model.Name} has none");
        }

        var weight = model.Parameters.Single(p => p.Name == headed.HeadParameterNames[0]).Shape;
        var bias = model.Parameters.Single(p => p.Name == headed.HeadParameterNames[1]).Shape;
        if (weight.Length != 2 || weight[0] != model.OutputSize || weight[1] != headed.FeatureSize || bias.Length != 1 || bias[0] != model.OutputSize)
        {
            throw new ArgumentException($"{learner} with a prototype head needs a head of weight [{model.OutputSize}, {headed.FeatureSize}] and bias [{model.OutputSize}]; {model.Name}'s is [{string.Join(", ", weight)}] and [{string.Join(", ", bias)}]");
        }

        return headed;
    }

    /// <summary>
    /// The head's parameters moved to the prototypes of <paramref name="features"/> [n, F] under <paramref name="labels"/>
    /// [n] (<see cref="Offsets"/> without a gate, then <see cref="Shift"/>).
    /// </summary>
    public static Dictionary<string, string> Start(GraphBuilder g, IHeadedModel model, IReadOnlyDictionary<string, string> parameters, string features, string labels) =>
        Shift(g, model, parameters, Offsets(g, model, features, labels, gate: null));

    /// <summary>A copy of <paramref name="parameters"/> with the head's weight and bias plus their offsets.</summary>
    public static Dictionary<string, string> Shift(GraphBuilder g, IHeadedModel model, IReadOnlyDictionary<string, string> parameters, (string Weight, string Bias) offsets) =>
        new(parameters, StringComparer.Ordinal)
        {
            [model.HeadParameterNames[0]] = g.Op("Add", [parameters[model.HeadParameterNames[0]], offsets.Weight]),
            [model.HeadParameterNames[1]] = g.Op("Add", [parameters[model.HeadParameterNames[1]], offsets.Bias]),
        };

    /// <summary>The weight offset 2c [N, F] and bias offset −‖c‖² [N], each times <paramref name="gate"/> when given.</summary>
    public static (string Weight, string Bias) Offsets(GraphBuilder g, IHeadedModel model, string features, string labels, string? gate)
    {
        var prototypes = Prototypes.Mean(g, features, labels, model.OutputSize, out var counts);
        var weight = g.Op("Mul", [prototypes, g.Scalar(2)]);
        var absent = g.Op("Cast", [g.Op("Equal", [counts, g.Scalar(0)])], Attr.Int("to", (long)DataType.Float));
        var bias = g.Op("Neg", [g.Op("Add", [
            g.Op("ReduceSum", [g.Op("Mul", [prototypes, prototypes]), g.Int64s(1)], Attr.Int("keepdims", 0)),
            g.Op("Mul", [absent, g.Scalar(AbsentClassBias)])])]);
        return gate is null ? (weight, bias) : (g.Op("Mul", [weight, gate]), g.Op("Mul", [bias, gate]));
    }
}
