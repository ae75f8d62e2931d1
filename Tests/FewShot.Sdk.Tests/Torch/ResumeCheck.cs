using FewShot.Sdk.Torch;
using FewShot.Sdk.Training;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>The exact-resume check that several trainer tests make: a run stopped and resumed ends where an uninterrupted one does.</summary>
internal static class ResumeCheck
{
    /// <summary>
    /// Trains <paramref name="total"/> iterations straight into <paramref name="straight"/>, then <paramref name="stopAt"/>
    /// and again <paramref name="total"/> into <paramref name="interrupted"/> (the second run resumes from the first's
    /// checkpoint), asserts that the resumed run ends at <paramref name="total"/> with every parameter equal bit for bit,
    /// and returns the uninterrupted run's result.
    /// </summary>
    public static TrainingResult AssertResumesBitForBit(Func<int, TorchMetaTrainer> trainer, int total, int stopAt, string straight, string interrupted)
    {
        var expected = trainer(total).Train(straight);
        trainer(stopAt).Train(interrupted);
        var resumed = trainer(total).Train(interrupted);

        Assert.Equal(total, resumed.Iteration);
        for (var p = 0; p < expected.Parameters.Length; p++)
        {
            Assert.Equal(expected.Parameters[p], resumed.Parameters[p]);
        }

        return expected;
    }
}
