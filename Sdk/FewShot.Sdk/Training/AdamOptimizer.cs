namespace FewShot.Sdk.Training;

/// <summary>
/// Adam (Kingma and Ba, 2015) over a list of float32 parameter tensors, updated in place, as the meta-optimizer.
/// Its moments and step count are exposed so checkpoints can restore it exactly. Not thread-safe.
/// </summary>
public sealed class AdamOptimizer
{
    private readonly float[][] _m;
    private readonly float[][] _v;
    private readonly long[] _steps;
    private long _stepCount;

    /// <summary>Creates an optimizer for tensors of the given sizes.</summary>
    /// <param name="sizes">Element count of each parameter tensor, in the order <see cref="Step(IReadOnlyList{float[]}, IReadOnlyList{float[]}, double?)"/> receives them.</param>
    /// <param name="learningRate">Step size (the MAML papers use 0.001).</param>
    /// <param name="beta1">First-moment decay.</param>
    /// <param name="beta2">Second-moment decay.</param>
    /// <param name="epsilon">Denominator guard.</param>
    public AdamOptimizer(IReadOnlyList<int> sizes, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(learningRate);
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), $"Adam's betas must lie in [0, 1), got {beta1} and {beta2}");
        }

        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        _m = sizes.Select(n => new float[n]).ToArray();
        _v = sizes.Select(n => new float[n]).ToArray();
        _steps = new long[sizes.Count];
    }

    /// <summary>The step size.</summary>
    public double LearningRate { get; }

    /// <summary>First-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>Denominator guard.</summary>
    public double Epsilon { get; }

    /// <summary>Steps taken so far (restored from checkpoints); setting it sets every tensor's own count (<see cref="TensorSteps"/>) too.</summary>
    public long StepCount
    {
        get => _stepCount;
        set
        {
            _stepCount = value;
            Array.Fill(_steps, value);
        }
    }

    /// <summary>
    /// Updates each tensor has received, for its bias correction: <see cref="StepCount"/> unless some steps left it
    /// frozen (staged algorithms). Live; a staged run's resume restores it from the algorithm's schedule.
    /// </summary>
    public long[] TensorSteps => _steps;

    /// <summary>First moments, one array per parameter tensor (live; checkpoints copy them).</summary>
    public IReadOnlyList<float[]> FirstMoments => _m;

    /// <summary>Second moments, one array per parameter tensor (live; checkpoints copy them).</summary>
    public IReadOnlyList<float[]> SecondMoments => _v;

    /// <summary>Applies one update θ ← θ − lr·m̂/(√v̂ + ε) to every tensor, in place.</summary>
    /// <param name="parameters">The tensors, updated in place.</param>
    /// <param name="gradients">Their gradients.</param>
    /// <param name="learningRate">This update's step size (a schedule's); null: <see cref="LearningRate"/>.</param>
    /// <exception cref="ArgumentException">The counts or sizes differ from the constructor's.</exception>
    public void Step(IReadOnlyList<float[]> parameters, IReadOnlyList<float[]> gradients, double? learningRate = null) => Step(parameters, gradients, trained: null, learningRate);

    /// <summary>
    /// Applies one update to the tensors that <paramref name="trained"/> marks (all when null); the others, frozen at
    /// this step, keep their values and moments, and their bias correction counts only the steps that changed them.
    /// </summary>
    /// <param name="parameters">The tensors, updated in place.</param>
    /// <param name="gradients">Their gradients.</param>
    /// <param name="trained">Which tensors this step changes; null: all.</param>
    /// <param name="learningRate">This update's step size (a schedule's); null: <see cref="LearningRate"/>.</param>
    /// <exception cref="ArgumentException">The counts or sizes differ from the constructor's.</exception>
    public void Step(IReadOnlyList<float[]> parameters, IReadOnlyList<float[]> gradients, IReadOnlyList<bool>? trained, double? learningRate = null)
    {
        var rate = learningRate ?? LearningRate;
        ArgumentOutOfRangeException.ThrowIfNegative(rate, nameof(learningRate));
        if (parameters.Count != _m.Length || gradients.Count != _m.Length)
        {
            throw new ArgumentException($"Adam holds {_m.Length} tensors but got {parameters.Count} parameters and {gradients.Count} gradients");
        }

        if (trained is not null && trained.Count != _m.Length)
        {
            throw new ArgumentException($"Adam holds {_m.Length} tensors but got {trained.Count} trained flags");
        }

        _stepCount++;
        for (var t = 0; t < _m.Length; t++)
        {
            if (trained is not null && !trained[t])
            {
                continue;
            }

            var count = ++_steps[t];
            var correction1 = 1 - Math.Pow(Beta1, count);
            var correction2 = 1 - Math.Pow(Beta2, count);
            var stepSize = (float)(rate * Math.Sqrt(correction2) / correction1);
            var epsilon = (float)(Epsilon * Math.Sqrt(correction2));
            var theta = parameters[t];
            var g = gradients[t];
            if (theta.Length != _m[t].Length || g.Length != _m[t].Length)
            {
                throw new ArgumentException($"tensor {t} has {theta.Length} parameters and {g.Length} gradients, expected {_m[t].Length}");
            }

            Update(theta, g, _m[t], _v[t], (float)Beta1, (float)Beta2, stepSize, epsilon);
        }
    }

    private static void Update(Span<float> theta, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float beta1, float beta2, float stepSize, float epsilon)
    {
        // m = β1·m + (1−β1)·g ; v = β2·v + (1−β2)·g² ; θ -= stepSize·m/(√v + ε′), the bias corrections folded into stepSize and ε′.
        for (var i = 0; i < theta.Length; i++)
        {
            var gi = g[i];
            m[i] = (beta1 * m[i]) + ((1 - beta1) * gi);
            v[i] = (beta2 * v[i]) + ((1 - beta2) * gi * gi);
            theta[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) + epsilon);
        }
    }
}
