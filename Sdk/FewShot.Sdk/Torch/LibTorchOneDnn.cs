using System.Runtime.InteropServices;

namespace FewShot.Sdk.Torch;

/// <summary>
/// Whether libtorch runs its convolutions through its bundled oneDNN (mkldnn, its fast CPU kernels) or through its own.
/// oneDNN stays on where it computes what libtorch's own kernels compute: <see cref="Learning.TorchMetaBatch"/> runs the
/// first meta-batch of each kind both ways and turns oneDNN off for the process when they disagree. Why: on an AMD Zen
/// 5 CPU (family 26, AVX-512), libtorch 2.10's oneDNN convolutions gave a second-order MAML meta-gradient of a narrow
/// conv4 (8 channels) that was off by 102 % of its norm from the exported ONNX meta-step (5 % with
/// <c>ONEDNN_MAX_CPU_ISA=AVX2</c>; the 64-channel conv4 agreed to 1e-5), failed 59 of the tests and crashed two-thread
/// training processes; with oneDNN off the same meta-gradient agreed with the ONNX graphs to 2.3e-6, at about 0.55× the
/// training speed (benchmarks/README.md, "2026-12-05"). TorchSharp 0.107 has no
/// switch for it: this calls libtorch's <c>at::globalContext().setUserEnabledMkldnn(bool)</c> (C++ symbols of
/// libtorch_cpu on Linux x64; elsewhere oneDNN is left as libtorch sets it and never checked).
/// </summary>
public static class LibTorchOneDnn
{
    /// <summary>0: oneDNN off; 1: on without the check; unset: on while the check agrees.</summary>
    public const string Variable = "FEWSHOT_LIBTORCH_ONEDNN";

    /// <summary>
    /// The largest relative difference (‖a − b‖ / ‖b‖ over a meta-batch's gradients) taken for rounding. The Zen 5 errors
    /// were 0.05–1.02; the 80-image MAML cases agree to 6e-6–1e-5, but ProtoNets' 600-image episodes differ by 4.3e-4
    /// (1.03e-3 once the first batch norm was folded into its convolution): at that many max-pool windows some nearly
    /// tie, and the two kernel sets round them to different winners (our reading, as in the parity tests; not checked
    /// against float64). 1e-3 turned oneDNN off for those episodes at 0.44× the speed; 1e-2 keeps five times the margin
    /// to the smallest error seen. The same episodes with batch norm at 2 threads differ by 7.2e-3: there oneDNN's
    /// meta-gradient is 7e-3 from every other pass (libtorch's kernels at 1 and 2 threads, oneDNN at 1 agree within
    /// 2e-3) in every layer but the last block's batch-norm parameters (1e-5), which no max-pool winner changes: near-ties
    /// again, by our reading, so it stays under the tolerance with a margin of 1.4 only (benchmarks/README.md).
    /// </summary>
    public const double Tolerance = 1e-2;

    private static readonly Lock Gate = new();

    /// <summary>Whether libtorch may use oneDNN now.</summary>
    public static bool Enabled => Reachable && UserEnabledMkldnn(GlobalContext());

    /// <summary>True while oneDNN is on and its results are to be compared with libtorch's own kernels (<see cref="Variable"/> unset).</summary>
    public static bool NeedsCheck => Enabled && Environment.GetEnvironmentVariable(Variable) is not ("0" or "1");

    /// <summary>The largest relative difference the checks in this process measured between oneDNN and libtorch's own kernels; null before any check.</summary>
    public static double? LargestDifference { get; private set; }

    /// <summary>Why oneDNN was turned off in this process (the relative difference it showed); null while it was not.</summary>
    public static string? Rejection { get; private set; }

    private static bool Reachable => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary>Applies <see cref="Variable"/> once libtorch is loaded: 0 turns oneDNN off; otherwise it stays as libtorch sets it.</summary>
    internal static void Apply()
    {
        if (Reachable && Environment.GetEnvironmentVariable(Variable) == "0")
        {
            Set(false);
        }
    }

    /// <summary>
    /// Turns oneDNN on or off for the whole process; only between libtorch calls. NNPACK, which libtorch tries next,
    /// stays off (with oneDNN off it printed "Could not initialize NNPACK! Reason: Unsupported hardware" 16 times at
    /// the start of a run on the Zen 5 machine), so that off means libtorch's own kernels, the ones the check compares with.
    /// </summary>
    internal static void Set(bool enabled)
    {
        if (Reachable)
        {
            SetUserEnabledNnpack(GlobalContext(), false);
            SetUserEnabledMkldnn(GlobalContext(), enabled);
        }
    }

    /// <summary>Records a check's relative difference (NaN counts as the largest).</summary>
    internal static void Measured(double difference)
    {
        lock (Gate)
        {
            LargestDifference = LargestDifference is not { } seen || double.IsNaN(difference) || difference > seen ? difference : seen;
        }
    }

    /// <summary>Records that oneDNN disagreed with libtorch's own kernels and leaves it off.</summary>
    internal static void Reject(double difference, string what)
    {
        lock (Gate)
        {
            Set(false);
            Rejection ??= $"libtorch's oneDNN convolutions disagreed with its own kernels on {what} (relative difference {difference:G3}, tolerance {Tolerance:G1}): turned off for this process, which runs slower but right";
        }
    }

    /// <summary>‖a − b‖ / ‖b‖ over all arrays; NaN when either holds a non-finite value.</summary>
    internal static double RelativeDifference(float[][] a, float[][] b)
    {
        double difference = 0, norm = 0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = 0; j < a[i].Length; j++)
            {
                var d = (double)a[i][j] - b[i][j];
                difference += d * d;
                norm += (double)b[i][j] * b[i][j];
            }
        }

        return double.IsFinite(difference) && double.IsFinite(norm) ? Math.Sqrt(difference / Math.Max(norm, double.Epsilon)) : double.NaN;
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);
}
