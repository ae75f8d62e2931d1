using System.Diagnostics;
using FewShot.Runtime;
using FewShot.Runtime.Bundles;

// Usage: Halves <bundle> <rounds>. Wall time of 5 adaptation steps of a 28×28-input bundle on 25 support images (5
// classes) at 1 intra-op thread and at 2, against two 1-thread models adapting at the same time on 13 and 12 of them
// (what a data-parallel step could give where each example is normalized by itself: the probe of the potential, its
// halves' results not combined), and against the Runtime's adaptation in 2 shares (RuntimeOptions.AdaptationShares:
// the same split, combined after every step; only for bundles that declare separable steps).
var path = args[0]; var rounds = int.Parse(args[1]);
var random = new Random(0);
float[] Images(int n) => Enumerable.Range(0, n * 28 * 28).Select(_ => random.NextDouble() < 0.15 ? 1f : 0f).ToArray();
var all = Images(25); var first = all.AsSpan(0, 13 * 784).ToArray(); var second = all.AsSpan(13 * 784).ToArray();
int[] Labels(int n) => Enumerable.Range(0, n).Select(i => i % 5).ToArray();
var options = new RuntimeOptions { IntraOpThreads = 1, InterOpThreads = 1 };
var two = new RuntimeOptions { IntraOpThreads = 2, InterOpThreads = 1 };
using var a = FewShotModel.Load(path, options);
using var b = FewShotModel.Load(path, options);
using var c = FewShotModel.Load(path, two);
using var d = FewShotModel.Load(path, new RuntimeOptions { IntraOpThreads = 1, InterOpThreads = 1, AdaptationShares = 2 });
var steps = new AdaptOptions { Steps = 5 };
double One() { var w = Stopwatch.StartNew(); _ = a.Adapt(all, Labels(25), steps); return w.Elapsed.TotalMilliseconds; }
double TwoThreads() { var w = Stopwatch.StartNew(); _ = c.Adapt(all, Labels(25), steps); return w.Elapsed.TotalMilliseconds; }
double Shares() { var w = Stopwatch.StartNew(); _ = d.Adapt(all, Labels(25), steps); return w.Elapsed.TotalMilliseconds; }
double Halves()
{
    var w = Stopwatch.StartNew();
    var t1 = Task.Run(() => a.Adapt(first, Labels(13), steps));
    var t2 = Task.Run(() => b.Adapt(second, Labels(12), steps));
    Task.WaitAll(t1, t2);
    return w.Elapsed.TotalMilliseconds;
}
for (var i = 0; i < 3; i++) { One(); Halves(); TwoThreads(); Shares(); }
var (ones, halves, twos, shares) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
for (var r = 0; r < rounds; r++) { ones.Add(One()); halves.Add(Halves()); twos.Add(TwoThreads()); shares.Add(Shares()); }
static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
Console.WriteLine($"5 steps: 25 images on 1 thread {Median(ones):F1} ms; 25 images on 2 intra-op threads {Median(twos):F1} ms; 13 + 12 images on two 1-thread models at once {Median(halves):F1} ms; in 2 shares (separable steps declared: {d.Manifest.InnerLoop?.SeparableSteps}) {Median(shares):F1} ms");
