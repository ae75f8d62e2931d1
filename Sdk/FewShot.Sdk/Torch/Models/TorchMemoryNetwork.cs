using FewShot.Sdk.Models;
using TorchSharp;

namespace FewShot.Sdk.Torch.Models;

/// <summary>
/// The TorchSharp lowering of <see cref="MemoryNetwork"/>: the same steps over explicit tensors, differentiable into the
/// controller and heads. Stateless and thread-safe; tensors it returns belong to the caller's dispose scope.
/// </summary>
public sealed class TorchMemoryNetwork
{
    private readonly TorchLstmCell _controller;

    /// <summary>Lowers <paramref name="network"/>.</summary>
    public TorchMemoryNetwork(MemoryNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        Description = network;
        _controller = new TorchLstmCell(network.Controller);
    }

    /// <summary>The description this lowers.</summary>
    public MemoryNetwork Description { get; }

    /// <summary>The initial state for a batch of <paramref name="batch"/>, in <see cref="MemoryNetwork.State"/> order.</summary>
    public torch.Tensor[] InitialState(long batch, torch.Device device) =>
        [.. Description.State(batch).Select(s => torch.full(s.Shape, s.Init == ParameterInit.Constant ? s.Value : 0f, device: device))];

    /// <summary>One writing step: x [B, F], yPrev [B, N] and the state → the next state and logits [B, N].</summary>
    /// <param name="x">The examples' features.</param>
    /// <param name="yPrev">The previous step's label, one-hot (zeros for none).</param>
    /// <param name="state">In <see cref="MemoryNetwork.State"/> order.</param>
    /// <param name="p">Parameter name → tensor.</param>
    public (torch.Tensor[] State, torch.Tensor Logits) Step(torch.Tensor x, torch.Tensor yPrev, IReadOnlyList<torch.Tensor> state, IReadOnlyDictionary<string, torch.Tensor> p)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(p);
        var d = Description;
        var (memory, usage, readWeights) = (state[0], state[4], state[5]);
        var (h, c) = _controller.Step(torch.cat([x, yPrev, state[3]], 1), state[1], state[2], p);
        var add = torch.tanh(TorchLayers.Linear(h, p[d.Name("add")], p[d.Name("add", true)]));
        var gate = torch.sigmoid(TorchLayers.Linear(h, p[d.Name("gate")], p[d.Name("gate", true)]));
        var leastUsed = torch.nn.functional.one_hot(usage.argmin(1), d.Slots).to(torch.float32);
        var writeWeights = (gate * readWeights) + ((1 - gate) * leastUsed);
        var written = (memory * (1 - leastUsed).unsqueeze(2)) + (writeWeights.unsqueeze(2) * add.unsqueeze(1));
        var (weights, read) = Read(h, written, p);
        var nextUsage = (usage * MemoryNetwork.UsageDecay) + weights + writeWeights;
        return ([written, h, c, read, nextUsage, weights], Output(h, read, p));
    }

    /// <summary>The read-only query step: every row of x [m, F] from the same state (batch 1), no label, no write → logits [m, N].</summary>
    public torch.Tensor Query(torch.Tensor x, IReadOnlyList<torch.Tensor> state, IReadOnlyDictionary<string, torch.Tensor> p)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(state);
        var m = x.shape[0];
        var d = Description;
        var input = torch.cat([x, torch.zeros([m, d.Classes], device: x.device), state[3].expand(m, d.Width)], 1);
        var (h, _) = _controller.Step(input, state[1].expand(m, d.HiddenSize), state[2].expand(m, d.HiddenSize), p);
        var (_, read) = Read(h, state[0], p);
        return Output(h, read, p);
    }

    /// <summary>
    /// The read-only query step for a batch of B presented states: the rows of x [B, m, F] step from their own task's state
    /// (batch B) as <see cref="Query"/> does from one → logits [B, m, N].
    /// </summary>
    public torch.Tensor QueryEach(torch.Tensor x, IReadOnlyList<torch.Tensor> state, IReadOnlyDictionary<string, torch.Tensor> p)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(state);
        var (b, m) = (x.shape[0], x.shape[1]);
        var d = Description;
        torch.Tensor Rows(torch.Tensor v) => v.unsqueeze(1).expand([b, m, .. v.shape[1..]]).reshape([b * m, .. v.shape[1..]]);
        var input = torch.cat([x.reshape(b * m, -1), torch.zeros([b * m, d.Classes], device: x.device), Rows(state[3])], 1);
        var (h, _) = _controller.Step(input, Rows(state[1]), Rows(state[2]), p);
        var (_, read) = Read(h, Rows(state[0]), p);
        return Output(h, read, p).reshape(b, m, d.Classes);
    }

    private (torch.Tensor Weights, torch.Tensor Read) Read(torch.Tensor h, torch.Tensor memory, IReadOnlyDictionary<string, torch.Tensor> p)
    {
        var d = Description;
        var key = torch.tanh(TorchLayers.Linear(h, p[d.Name("key")], p[d.Name("key", true)]));
        var strength = 1 + torch.nn.functional.softplus(TorchLayers.Linear(h, p[d.Name("strength")], p[d.Name("strength", true)]));
        static torch.Tensor Unit(torch.Tensor v, long axis) => v / (v.pow(2).sum(axis, keepdim: true).sqrt() + 1e-8);
        var similarity = (Unit(memory, 2) * Unit(key, 1).unsqueeze(1)).sum(2);
        var weights = torch.softmax(similarity * strength, 1);
        var read = (weights.unsqueeze(2) * memory).sum(1);
        return (weights, read);
    }

    private torch.Tensor Output(torch.Tensor h, torch.Tensor read, IReadOnlyDictionary<string, torch.Tensor> p) =>
        TorchLayers.Linear(torch.cat([h, read], 1), p[Description.Name("out")], p[Description.Name("out", true)]);
}
