using System.Globalization;

namespace FewShot.Sdk.Data;

/// <summary>
/// The alphabets of Omniglot's evaluation set, which the archives do not store: the 659 characters of
/// <c>images_evaluation.npz</c> (numbers 0965–1623) are its 20 alphabets in the release's numbering, each alphabet's
/// characters contiguous (Angelic 0965–0984, …, ULOG 1598–1623). The numbering follows the folders' alphabetical order
/// but for two: Syriac (Serto) is 1480–1502 and Sylheti 1503–1530 (the background set's numbering is not alphabetical
/// at all: Latin is 0683–0708, Korean 0643–0682 in the released background_small archives). Within-alphabet episodes
/// (Lake et al.'s one-shot protocol) draw on them.
/// </summary>
public static class OmniglotAlphabets
{
    /// <summary>The number of the evaluation set's first character.</summary>
    public const int FirstEvaluationCharacter = Omniglot.BackgroundCharacterCount + 1;

    /// <summary>The evaluation alphabets in character order, with their character counts (659 in all).</summary>
    public static IReadOnlyList<(string Name, int Characters)> Evaluation { get; } =
    [
        ("Angelic", 20), ("Atemayar_Qelisayer", 26), ("Atlantean", 26), ("Aurek-Besh", 26), ("Avesta", 26),
        ("Ge_ez", 26), ("Glagolitic", 45), ("Gurmukhi", 45), ("Kannada", 41), ("Keble", 26),
        ("Malayalam", 47), ("Manipuri", 40), ("Mongolian", 30), ("Old_Church_Slavonic_(Cyrillic)", 45), ("Oriya", 46),
        ("Syriac_(Serto)", 23), ("Sylheti", 28), ("Tengwar", 25), ("Tibetan", 42), ("ULOG", 26),
    ];

    /// <summary>The evaluation alphabet of character number <paramref name="character"/> (965–1623).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not an evaluation character.</exception>
    public static string EvaluationAlphabetOf(int character)
    {
        var offset = character - FirstEvaluationCharacter;
        ArgumentOutOfRangeException.ThrowIfNegative(offset, nameof(character));
        foreach (var (name, count) in Evaluation)
        {
            if (offset < count)
            {
                return name;
            }

            offset -= count;
        }

        throw new ArgumentOutOfRangeException(nameof(character), character, $"Omniglot has {Omniglot.CharacterCount} characters");
    }

    /// <summary>
    /// Groups the classes of <paramref name="dataset"/>, which must all be evaluation characters named by their number
    /// ("0965"–"1623", as <see cref="Omniglot"/> names them: the lake split's test classes), by alphabet, in alphabet order.
    /// </summary>
    /// <exception cref="ArgumentException">A class is not an evaluation character (the message names it).</exception>
    public static IReadOnlyList<ClassGroup> GroupEvaluationClasses(IFewShotDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var groups = Evaluation.ToDictionary(a => a.Name, _ => new List<int>(), StringComparer.Ordinal);
        for (var c = 0; c < dataset.ClassCount; c++)
        {
            var name = dataset.GetClassName(c);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || number < FirstEvaluationCharacter || number > Omniglot.CharacterCount)
            {
                throw new ArgumentException(
                    $"class '{name}' is not one of Omniglot's evaluation characters (0965–1623); within-alphabet episodes draw on the evaluation alphabets, which are the lake split's test classes", nameof(dataset));
            }

            groups[EvaluationAlphabetOf(number)].Add(c);
        }

        return [.. Evaluation.Where(a => groups[a.Name].Count > 0).Select(a => new ClassGroup(a.Name, groups[a.Name]))];
    }
}
