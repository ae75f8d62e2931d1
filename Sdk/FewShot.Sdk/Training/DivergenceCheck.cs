using FewShot.Sdk.Models;

namespace FewShot.Sdk.Training;

/// <summary>The NaN/Inf stop of meta-training: a non-finite loss or meta-gradient ends the run, keeping the last good checkpoint.</summary>
internal static class DivergenceCheck
{
    /// <summary>Throws when <paramref name="loss"/> or any meta-gradient value is NaN or infinite.</summary>
    /// <exception cref="TrainingDivergedException">Something was not finite; the message names it and where the last good checkpoint is.</exception>
    public static void ThrowIfNotFinite(int iteration, double loss, float[][] gradients, IReadOnlyList<ParameterSpec> specs, string? checkpointPath)
    {
        var kept = checkpointPath is not null && File.Exists(checkpointPath) ? $"the last good checkpoint is kept at {checkpointPath}" : "no checkpoint was written";
        if (!double.IsFinite(loss))
        {
            throw new TrainingDivergedException($"meta-training diverged at iteration {iteration}: the query loss is {loss}; {kept}. Try a smaller --inner-lr or meta learning rate.");
        }

        for (var p = 0; p < gradients.Length; p++)
        {
            foreach (var g in gradients[p])
            {
                if (!float.IsFinite(g))
                {
                    throw new TrainingDivergedException($"meta-training diverged at iteration {iteration}: the meta-gradient of '{specs[p].Name}' holds {g}; {kept}.");
                }
            }
        }
    }
}
