using System.Runtime.InteropServices;
using FewShot.Runtime;
using FewShot.Runtime.Bundles;

// Usage: AdaptAb <bundle A> <bundle B> <pairs> <steps> [threads]; steps 0 times predicting 75 queries (after one 1-step
// adaptation each) instead. Loads both bundles in one process and alternates their
// adaptations on the same 5-way 5-shot support set (28×28 images, as `fewshot bench adapt`), swapping the order every
// pair, and times each with the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), which unlike wall time leaves out
// the moments the VM takes the core away. Prints the median of B/A over the pairs with its range, and each side's median.
// With more than one thread it times wall time instead (the workers' CPU time is not the calling thread's), which the
// VM's pauses reach: use more pairs there.
const int Ways = 5, Shots = 5;
var (pathA, pathB, pairs, steps) = (args[0], args[1], int.Parse(args[2]), int.Parse(args[3]));
var threads = args.Length > 4 ? int.Parse(args[4]) : 1;
var random = new Random(0);
var support = Enumerable.Range(0, Ways * Shots * 28 * 28).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f).ToArray();
var labels = Enumerable.Range(0, Ways * Shots).Select(i => i % Ways).ToArray();
var adapt = new AdaptOptions { Steps = steps };
// AB_PROFILE=<prefix>: ONNX Runtime's profiles of every run, <prefix>_A_*.json and <prefix>_B_* (benchmarks/ort_profile_ops.py sums them by operator).
var profile = Environment.GetEnvironmentVariable("AB_PROFILE");
using var a = FewShotModel.Load(pathA, new RuntimeOptions { IntraOpThreads = threads, InterOpThreads = 1, ProfilingFilePrefix = profile is null ? null : profile + "_A" });
using var b = FewShotModel.Load(pathB, new RuntimeOptions { IntraOpThreads = threads, InterOpThreads = 1, ProfilingFilePrefix = profile is null ? null : profile + "_B" });
var queries = Enumerable.Range(0, 75 * 28 * 28).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f).ToArray();
var adapted = steps == 0 ? new Dictionary<FewShotModel, AdaptedModel> { [a] = a.Adapt(support, labels, new AdaptOptions { Steps = 1 }), [b] = b.Adapt(support, labels, new AdaptOptions { Steps = 1 }) } : null;
double Time(FewShotModel model)
{
    var start = threads == 1 ? ThreadClock.Now() : System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency;
    _ = adapted is null ? (object)model.Adapt(support, labels, adapt) : adapted[model].PredictValues(queries);
    var end = threads == 1 ? ThreadClock.Now() : System.Diagnostics.Stopwatch.GetTimestamp() / (double)System.Diagnostics.Stopwatch.Frequency;
    return (end - start) * 1e3;
}

for (var i = 0; i < 3; i++) { Time(a); Time(b); }
var (timesA, timesB, ratios) = (new List<double>(), new List<double>(), new List<double>());
for (var pair = 0; pair < pairs; pair++)
{
    double ta, tb;
    if (pair % 2 == 0) { ta = Time(a); tb = Time(b); } else { tb = Time(b); ta = Time(a); }
    timesA.Add(ta); timesB.Add(tb); ratios.Add(tb / ta);
}

static double Median(List<double> values) { var sorted = values.Order().ToList(); return sorted[sorted.Count / 2]; }
Console.WriteLine($"{(steps == 0 ? "predicting 75 queries" : $"{steps}-step adaptation")}, {threads} thread(s), {(threads == 1 ? "thread CPU" : "wall")} time, {pairs} pairs: A {Median(timesA):F2} ms, B {Median(timesB):F2} ms; "
    + $"B/A median {Median(ratios):F3} (range {ratios.Min():F3}-{ratios.Max():F3})");

static class ThreadClock
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>The calling thread's CPU time in seconds (CLOCK_THREAD_CPUTIME_ID = 3).</summary>
    public static double Now() => ClockGetTime(3, out var t) == 0 ? t.Seconds + (t.Nanoseconds * 1e-9) : throw new InvalidOperationException("clock_gettime failed");
}
