using System.Globalization;

namespace FewShot.Sdk.Data;

/// <summary>
/// Blocks of consecutive Omniglot characters, for training episodes harder than random ones. The release numbers its
/// characters alphabet by alphabet (each alphabet's characters are contiguous), but the archives do not say where the
/// background set's 30 alphabets begin; a block of consecutive numbers holds the characters of one alphabet, or of two
/// neighbours, so an episode drawn within a block is close to Lake et al.'s within-alphabet test.
/// </summary>
public static class OmniglotBlocks
{
    /// <summary>
    /// Groups the classes of an Omniglot training split (characters named by their number, "0001"–"1623", each
    /// optionally with a rotation suffix "/rot90" as <see cref="RotatedClassesDataset"/> names them) into blocks of
    /// <paramref name="characters"/> consecutive characters in numbering order; a character's rotations stay in its
    /// block, and a last block shorter than half a block joins the one before.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="characters"/> is below 2.</exception>
    /// <exception cref="ArgumentException">A class is not named by a character number (the message names it), or the split has fewer characters than a block.</exception>
    public static IReadOnlyList<ClassGroup> Group(IFewShotDataset dataset, int characters)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(characters, 2);
        var byCharacter = new SortedDictionary<int, List<int>>();
        for (var c = 0; c < dataset.ClassCount; c++)
        {
            var name = dataset.GetClassName(c);
            var number = name.Split('/')[0];
            if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var character)
                || character < 1 || character > Omniglot.CharacterCount)
            {
                throw new ArgumentException($"class '{name}' is not an Omniglot character (0001–{Omniglot.CharacterCount}): blocks of consecutive characters need Omniglot's numbering", nameof(dataset));
            }

            if (!byCharacter.TryGetValue(character, out var classes))
            {
                byCharacter[character] = classes = [];
            }

            classes.Add(c);
        }

        if (byCharacter.Count < characters)
        {
            throw new ArgumentException($"blocks of {characters} characters need at least that many; the training classes hold {byCharacter.Count} characters", nameof(characters));
        }

        var numbers = byCharacter.Keys.ToArray();
        var starts = Enumerable.Range(0, numbers.Length / characters).Select(b => b * characters).ToList();
        var remainder = numbers.Length % characters;
        if (remainder > 0 && remainder * 2 >= characters)
        {
            starts.Add(numbers.Length - remainder);
        }

        var groups = new List<ClassGroup>(starts.Count);
        for (var b = 0; b < starts.Count; b++)
        {
            var end = b + 1 < starts.Count ? starts[b + 1] : numbers.Length;
            var block = numbers[starts[b]..end];
            groups.Add(new ClassGroup($"{block[0]:0000}–{block[^1]:0000}", [.. block.SelectMany(n => byCharacter[n])]));
        }

        return groups;
    }
}
