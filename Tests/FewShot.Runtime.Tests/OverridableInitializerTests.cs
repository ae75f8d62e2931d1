using FewShot.Runtime.Tests.Models;

namespace FewShot.Runtime.Tests;

public sealed class OverridableInitializerTests
{
    // y = x · w, where w is both a graph input and an initializer [1, 2]: the pattern bundles use for θ₀.
    private static byte[] ScaleModel() =>
        new OnnxModelBuilder()
            .Input("w", TensorElementType.Float, 2)
            .Initializer("w", [1, 2], 2)
            .Input("x", TensorElementType.Float, "n", 2)
            .Output("y", TensorElementType.Float, "n", 2)
            .Node("Mul", ["x", "w"], ["y"])
            .Build();

    [Fact]
    public void Metadata_ListsOverridableInitializersApartFromInputs()
    {
        using var session = new InferenceSession(ScaleModel(), new InferenceSessionOptions { LogSeverity = LogSeverity.Error });

        Assert.Equal(["x"], session.Inputs.Select(i => i.Name));
        TensorMetadata w = Assert.Single(session.OverridableInitializers);
        Assert.Equal("w: Float[2]", w.ToString());
    }

    [Fact]
    public void Runner_UsesTheStoredValueUnlessTheInitializerIsFed()
    {
        using var session = new InferenceSession(ScaleModel(), new InferenceSessionOptions { LogSeverity = LogSeverity.Error });
        using var x = OrtTensor.FromArray(new float[] { 1, 1, 3, 3 }, 2, 2);
        using var w = OrtTensor.FromArray(new float[] { 5, 6 }, 2);
        using SessionRunner stored = session.CreateRunner(["x"], ["y"]);
        using SessionRunner fed = session.CreateRunner(["x", "w"], ["y"]);

        using OrtTensor byDefault = stored.Run(x)[0];
        using OrtTensor overridden = fed.Run(x, w)[0];

        Assert.Equal([1f, 2, 3, 6], byDefault.ToArray<float>());
        Assert.Equal([5f, 6, 15, 18], overridden.ToArray<float>());
    }

    [Fact]
    public void Options_RejectAnUndefinedLogSeverity()
    {
        var options = new InferenceSessionOptions { LogSeverity = (LogSeverity)7 };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceSession(ScaleModel(), options));
        Assert.Contains("LogSeverity", error.Message);
    }
}
