namespace FewShot.Sdk.Data;

/// <summary>Streams one Omniglot .npz archive straight into downsampled float32 images.</summary>
internal static class OmniglotArchive
{
    /// <summary>
    /// Reads <paramref name="path"/>, which must hold <paramref name="characters"/> characters, into
    /// <paramref name="blocks"/> (one <c>[20, size, size]</c> block per character).
    /// </summary>
    /// <remarks>
    /// The 105×105 bool images are inflated one character at a time and never held whole (212 MB for the
    /// background file): each drawing becomes ink = 1, paper = 0 and is area-averaged at once.
    /// </remarks>
    public static void Read(string path, int characters, AreaResizer resizer, Span<float[]> blocks)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Omniglot archive '{path}' is missing", path);
        }

        using var npz = NpzReader.Open(path);
        CheckLabels(npz.Read("labels"), characters, path);

        using var stream = npz.OpenEntry("images");
        var header = NpyReader.ReadHeader(stream);
        int side = Omniglot.SourceImageSize;
        int[] expected = [characters, Omniglot.DrawingsPerCharacter, side, side];
        if (header.DType != NpyDType.Bool || !header.Shape.SequenceEqual(expected))
        {
            throw new InvalidDataException(
                $"'{path}': images.npy is {header.DType} ({string.Join(", ", header.Shape)}); expected Bool ({string.Join(", ", expected)})");
        }

        int pixels = side * side;
        int outputPixels = resizer.OutputHeight * resizer.OutputWidth;
        var raw = new byte[Omniglot.DrawingsPerCharacter * pixels];
        var ink = new float[pixels];
        for (int c = 0; c < characters; c++)
        {
            int got = stream.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (got < raw.Length)
            {
                throw new InvalidDataException($"'{path}': images.npy is truncated in character {c} of {characters}");
            }

            var block = new float[Omniglot.DrawingsPerCharacter * outputPixels];
            for (int d = 0; d < Omniglot.DrawingsPerCharacter; d++)
            {
                var drawing = raw.AsSpan(d * pixels, pixels);
                for (int p = 0; p < pixels; p++)
                {
                    // True (any non-zero byte) is white paper; strokes are false.
                    ink[p] = drawing[p] == 0 ? 1f : 0f;
                }

                resizer.Resize(ink, block.AsSpan(d * outputPixels, outputPixels));
            }

            blocks[c] = block;
        }
    }

    private static void CheckLabels(NpyArray labels, int characters, string path)
    {
        int[] expected = [characters, Omniglot.DrawingsPerCharacter];
        if (labels.DType != NpyDType.Int64 || !labels.Shape.SequenceEqual(expected))
        {
            throw new InvalidDataException(
                $"'{path}': labels.npy is {labels.DType} ({string.Join(", ", labels.Shape)}); expected Int64 ({string.Join(", ", expected)})");
        }

        // Every drawing of character c is labelled c; anything else means images and labels do not belong together.
        var values = labels.AsSpan<long>();
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != i / Omniglot.DrawingsPerCharacter)
            {
                throw new InvalidDataException(
                    $"'{path}': labels.npy gives drawing {i % Omniglot.DrawingsPerCharacter} of character {i / Omniglot.DrawingsPerCharacter} the label {values[i]}; expected the character's index");
            }
        }
    }
}
