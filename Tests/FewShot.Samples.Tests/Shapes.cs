using System.Text;
using FewShot.Tests.Shared;

namespace FewShot.Samples.Tests;

/// <summary>
/// Synthetic "characters" for end-to-end tests: simple stroke shapes, each drawn in several variants (shifted and
/// thickened a little), as ink masks, PGM files (dark strokes on white) or model inputs (strokes 1.0).
/// </summary>
internal static class Shapes
{
    /// <summary>The classes: a horizontal bar, a vertical bar, a ring and a diagonal.</summary>
    public static readonly string[] Kinds = ["bar", "pole", "ring", "slash"];

    /// <summary>The shipped ProtoNets bundle (paper split): inductive, an image's answer does not depend on the others classified with it.</summary>
    public static string ProtoNetBundle => Path.Combine(RepoPaths.Root, "models", "omniglot-protonet-paper.fewshot");

    public static string MamlBundle => Path.Combine(RepoPaths.Root, "models", "omniglot-maml-paper.fewshot");

    /// <summary>
    /// A small ProtoNets bundle with transductive batch norm (<c>--norm batch</c>), for the samples' notes that an image's
    /// answer depends on the others classified with it; Fixtures/README.md says how it was trained.
    /// </summary>
    public static string TransductiveBundle => Path.Combine(RepoPaths.Root, "Tests", "FewShot.Samples.Tests", "Fixtures", "omniglot-protonet-batch.fewshot");

    /// <summary>
    /// A small MAML bundle with the support set's statistics (<c>--norm support</c>, the MAML family's default): inductive,
    /// its queries normalized by statistics that adaptation keeps in the adapted state; Fixtures/README.md says how it was trained.
    /// </summary>
    public static string SupportStatisticsBundle => Path.Combine(RepoPaths.Root, "Tests", "FewShot.Samples.Tests", "Fixtures", "omniglot-maml-support.fewshot");

    /// <summary>Ink coverage in [0, 1] of a <paramref name="size"/>×<paramref name="size"/> drawing, row-major.</summary>
    public static float[] Ink(string kind, int variant, int size)
    {
        var ink = new float[size * size];
        // Variants shift the shape by up to ±6 % of the side and change the stroke width.
        double shift = ((variant % 3) - 1) * 0.06;
        double half = 0.06 + (0.015 * (variant % 2));
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double u = ((x + 0.5) / size) - 0.5 - shift;
                double v = ((y + 0.5) / size) - 0.5 + shift;
                bool on = kind switch
                {
                    "bar" => Math.Abs(v) < half && Math.Abs(u) < 0.35,
                    "pole" => Math.Abs(u) < half && Math.Abs(v) < 0.35,
                    "ring" => Math.Abs(Math.Sqrt((u * u) + (v * v)) - 0.28) < half,
                    "slash" => Math.Abs(u + v) < half * 1.4 && Math.Abs(u - v) < 0.7,
                    _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown shape"),
                };
                ink[(y * size) + x] = on ? 1f : 0f;
            }
        }

        return ink;
    }

    /// <summary>A PGM file's bytes: the drawing in black (0) on white (255), or white on black when <paramref name="bright"/>.</summary>
    public static byte[] Pgm(string kind, int variant, int size, bool bright = false) =>
        PgmFile(size, size, [.. Ink(kind, variant, size).Select(i => (byte)((i > 0) ^ bright ? 0 : 255))]);

    public static byte[] PgmFile(int width, int height, byte[] pixels, string maxValue = "255")
    {
        byte[] header = Encoding.ASCII.GetBytes($"P5\n{width} {height}\n{maxValue}\n");
        return [.. header, .. pixels];
    }
}
