using System.Diagnostics;
using FewShot.Runtime.Bundles;

// Usage: BundleLoad <bundle> <loads>. Prints the first Load's time and the process RSS right after it (model held), then
// the median time of <loads> further Load+Dispose cycles.
static long RssKb() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
string path = args[0];
int loads = int.Parse(args[1]);
var options = new RuntimeOptions { IntraOpThreads = 1, InterOpThreads = 1 };
long before = RssKb();
var watch = Stopwatch.StartNew();
var model = FewShotModel.Load(path, options);
double first = watch.Elapsed.TotalMilliseconds;
GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
long after = RssKb();
var times = new List<double>();
for (int i = 0; i < loads; i++)
{
    watch.Restart();
    using (FewShotModel again = FewShotModel.Load(path, options)) { }
    times.Add(watch.Elapsed.TotalMilliseconds);
}
times.Sort();
Console.WriteLine($"{Path.GetFileName(path)}: {new FileInfo(path).Length} bytes; first Load {first:F0} ms; RSS {before / 1024.0:F1} MB before, {after / 1024.0:F1} MB after Load (+{(after - before) / 1024.0:F1} MB); median Load of {loads}: {times[loads / 2]:F1} ms (p10 {times[loads / 10]:F1}, p90 {times[loads * 9 / 10]:F1})");
GC.KeepAlive(model);
