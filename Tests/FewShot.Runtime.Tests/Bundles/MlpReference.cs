using FewShot.Exporters.Bundles;
using FewShot.Tests.Bundles;

namespace FewShot.Runtime.Tests.Bundles;

/// <summary>
/// The test MLP (Linear, ReLU, Linear) and its SGD steps, hand-differentiated in double precision: an independent
/// reference for what the bundles' adapt graphs compute with our autodiff in float32.
/// </summary>
internal sealed class MlpReference
{
    private readonly Dictionary<string, double[]> _theta;
    private readonly int _in;
    private readonly int _hidden;
    private readonly int _out;

    public MlpReference(BundleContents contents)
    {
        _theta = contents.Parameters.ToDictionary(p => p.Name, p => TestBundles.Theta(contents, p.Name).Select(v => (double)v).ToArray());
        _hidden = _theta["fc1.bias"].Length;
        _in = _theta["fc1.weight"].Length / _hidden;
        _out = _theta["fc2.bias"].Length;
    }

    public float[] Get(string name) => [.. _theta[name].Select(v => (float)v)];

    /// <summary>Row-major [n, out] outputs.</summary>
    public double[] Forward(float[] x, out double[] pre, out double[] hidden)
    {
        int n = x.Length / _in;
        pre = Linear(x.Select(v => (double)v).ToArray(), n, _in, _theta["fc1.weight"], _theta["fc1.bias"], _hidden);
        hidden = [.. pre.Select(v => Math.Max(0, v))];
        return Linear(hidden, n, _hidden, _theta["fc2.weight"], _theta["fc2.bias"], _out);
    }

    /// <summary>One step on softmax cross-entropy (mean over the batch); rate(name, element) is the step size.</summary>
    public void StepCrossEntropy(float[] x, long[] labels, Func<string, int, double> rate, bool headOnly = false)
    {
        double[] z = Forward(x, out double[] pre, out double[] h);
        int n = labels.Length;
        double[] dz = new double[z.Length];
        for (int i = 0; i < n; i++)
        {
            double max = Enumerable.Range(0, _out).Max(c => z[(i * _out) + c]);
            double sum = Enumerable.Range(0, _out).Sum(c => Math.Exp(z[(i * _out) + c] - max));
            for (int c = 0; c < _out; c++)
            {
                dz[(i * _out) + c] = ((Math.Exp(z[(i * _out) + c] - max) / sum) - (labels[i] == c ? 1 : 0)) / n;
            }
        }

        Backward(x, pre, h, dz, rate, headOnly);
    }

    /// <summary>One step on mean squared error over all outputs.</summary>
    public void StepMeanSquaredError(float[] x, float[] targets, double rate)
    {
        double[] z = Forward(x, out double[] pre, out double[] h);
        double[] dz = [.. z.Select((v, i) => 2 * (v - targets[i]) / z.Length)];
        Backward(x, pre, h, dz, (_, _) => rate, headOnly: false);
    }

    private void Backward(float[] x, double[] pre, double[] h, double[] dz, Func<string, int, double> rate, bool headOnly)
    {
        int n = x.Length / _in;
        double[] w2 = _theta["fc2.weight"];
        var dW2 = new double[w2.Length];
        var db2 = new double[_out];
        var dPre = new double[n * _hidden];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < _out; c++)
            {
                double g = dz[(i * _out) + c];
                db2[c] += g;
                for (int k = 0; k < _hidden; k++)
                {
                    dW2[(c * _hidden) + k] += g * h[(i * _hidden) + k];
                    dPre[(i * _hidden) + k] += pre[(i * _hidden) + k] > 0 ? g * w2[(c * _hidden) + k] : 0;
                }
            }
        }

        var dW1 = new double[_hidden * _in];
        var db1 = new double[_hidden];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < _hidden; k++)
            {
                db1[k] += dPre[(i * _hidden) + k];
                for (int j = 0; j < _in; j++)
                {
                    dW1[(k * _in) + j] += dPre[(i * _hidden) + k] * x[(i * _in) + j];
                }
            }
        }

        Apply("fc2.weight", dW2, rate);
        Apply("fc2.bias", db2, rate);
        if (!headOnly)
        {
            Apply("fc1.weight", dW1, rate);
            Apply("fc1.bias", db1, rate);
        }
    }

    private void Apply(string name, double[] gradient, Func<string, int, double> rate)
    {
        double[] values = _theta[name];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] -= rate(name, i) * gradient[i];
        }
    }

    private static double[] Linear(double[] x, int n, int inputs, double[] weight, double[] bias, int outputs)
    {
        var y = new double[n * outputs];
        for (int i = 0; i < n; i++)
        {
            for (int o = 0; o < outputs; o++)
            {
                double sum = bias[o];
                for (int j = 0; j < inputs; j++)
                {
                    sum += x[(i * inputs) + j] * weight[(o * inputs) + j];
                }

                y[(i * outputs) + o] = sum;
            }
        }

        return y;
    }
}
