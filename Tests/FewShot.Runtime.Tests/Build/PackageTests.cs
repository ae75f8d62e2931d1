using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using FewShot.Tests.Shared;

namespace FewShot.Runtime.Tests.Build;

/// <summary>`dotnet pack` makes a FewShot.Runtime package that a NuGet user can follow: its README, and the managed ONNX Runtime API only.</summary>
public sealed class PackageTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public void Pack_ShipsTheReadme_AndLeavesTheNativeOnnxRuntimeToTheApp()
    {
        string output = Directory.CreateTempSubdirectory("fewshot-pack-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet", ["pack", Path.Combine(RepoPaths.Root, "Runtime"), "-c", "Release", "--no-build", "-o", output, "-nologo", "-v", "quiet"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process pack = Process.Start(start)!;
            string log = pack.StandardOutput.ReadToEnd() + pack.StandardError.ReadToEnd();
            pack.WaitForExit();
            Assert.True(pack.ExitCode == 0, log);

            string package = Assert.Single(Directory.GetFiles(output, "FewShot.Runtime.*.nupkg"));
            using ZipArchive zip = ZipFile.OpenRead(package);
            using (var readme = new StreamReader(zip.GetEntry("README.md")!.Open()))
            {
                string text = readme.ReadToEnd();
                Assert.Contains("dotnet add package Microsoft.ML.OnnxRuntime", text);
                Assert.Contains("FewShotModel.Load", text);
            }

            XDocument nuspec = XDocument.Load(zip.GetEntry("FewShot.Runtime.nuspec")!.Open());
            string[] dependencies = [.. nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!)];
            Assert.Contains("Microsoft.ML.OnnxRuntime.Managed", dependencies);
            Assert.DoesNotContain("Microsoft.ML.OnnxRuntime", dependencies);
            Assert.DoesNotContain("Microsoft.ML.OnnxRuntime.Gpu.Linux", dependencies);
            Assert.Equal("README.md", nuspec.Descendants().Single(e => e.Name.LocalName == "readme").Value);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
