using FewShot.Runtime.Bundles;
using FewShot.Runtime.Hosting;
using FewShot.Runtime.Tests.Bundles;
using FewShot.Tests.Bundles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FewShot.Runtime.Tests.Hosting;

public sealed class AddFewShotModelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("fewshot-di-").FullName;

    [Fact]
    public void ResolvesOneSharedModel_WithTheConfiguredOptions_AndDisposesItWithTheContainer()
    {
        ServiceCollection services = MamlServices(predictionOnly: false);

        FewShotModel model;
        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            model = provider.GetRequiredService<FewShotModel>();
            Assert.Same(model, provider.GetRequiredService<FewShotModel>());
            AdaptedModel adapted = model.Adapt(BundleTestData.Examples(9), BundleTestData.Labels(9, "a", "b", "c"));
            Assert.Equal(3, adapted.Labels.Count);
        }

        Assert.Throws<ObjectDisposedException>(() => model.Adapt(BundleTestData.Examples(9), BundleTestData.Labels(9, "a", "b", "c")));
    }

    [Fact]
    public void APredictionOnlyModel_KeepsThatOptionThroughTheContainer()
    {
        using ServiceProvider provider = MamlServices(predictionOnly: true).BuildServiceProvider();
        FewShotModel model = provider.GetRequiredService<FewShotModel>();

        Assert.True(model.Graphs.PredictionOnly);
        Assert.Throws<InvalidOperationException>(() => model.Adapt(BundleTestData.Examples(9), BundleTestData.Labels(9, "a", "b", "c")));
    }

    [Fact]
    public void EmptyPath_IsAnOptionsErrorThatSaysWhatToSet()
    {
        var services = new ServiceCollection();
        services.AddFewShotModel();
        using ServiceProvider provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<FewShotModel>());
        Assert.Contains("BundlePath is empty", e.Message);
    }

    [Fact]
    public void MissingBundle_NamesThePath()
    {
        var services = new ServiceCollection();
        services.AddFewShotModel(o => o.BundlePath = Path.Combine(_folder, "absent.fewshot"));
        using ServiceProvider provider = services.BuildServiceProvider();

        var e = Assert.Throws<FileNotFoundException>(() => provider.GetRequiredService<FewShotModel>());
        Assert.Contains("absent.fewshot", e.Message);
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData("CUDA", "cuda:0")]
    [InlineData(" cuda:3 ", "cuda:3")]
    public void DeviceNames_Parse(string text, string expected) => Assert.Equal(expected, ExecutionDevice.Parse(text).ToString());

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("")]
    public void UnknownDeviceNames_AreRefusedWithTheExpectedForms(string text)
    {
        var e = Assert.Throws<FormatException>(() => ExecutionDevice.Parse(text));
        Assert.Contains("cuda:N", e.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // A MAML test bundle written into the test's folder and registered at one intra-op thread.
    private ServiceCollection MamlServices(bool predictionOnly)
    {
        string bundle = Path.Combine(_folder, "maml.fewshot");
        File.WriteAllBytes(bundle, TestBundles.Bytes(TestBundles.Maml()));
        var services = new ServiceCollection();
        services.AddFewShotModel(o =>
        {
            o.BundlePath = bundle;
            o.Runtime.IntraOpThreads = 1;
            o.Runtime.PredictionOnly = predictionOnly;
        });
        return services;
    }
}
