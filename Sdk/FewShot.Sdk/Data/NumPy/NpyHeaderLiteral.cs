using System.Globalization;

namespace FewShot.Sdk.Data;

/// <summary>
/// Parses the Python dict literal of an .npy header, such as
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>.
/// </summary>
/// <remarks>
/// Only what NumPy writes is accepted: string keys; values that are strings, <c>True</c>/<c>False</c>, or
/// tuples of integers (with Python 2's optional <c>L</c> suffix). Integers stay as text-checked
/// <see cref="long"/> values so that the caller can report negative or overflowing dimensions by value.
/// </remarks>
internal sealed class NpyHeaderLiteral
{
    private readonly string text;
    private int position;

    private NpyHeaderLiteral(string text) => this.text = text;

    /// <summary>Parses <paramref name="text"/>; values are <see cref="string"/>, <see cref="bool"/> or <see cref="long"/>[].</summary>
    public static Dictionary<string, object> Parse(string text)
    {
        var parser = new NpyHeaderLiteral(text);
        var result = parser.ParseDict();
        parser.SkipWhitespace();
        if (parser.position != text.Length)
        {
            throw parser.Error("unexpected text after the closing '}'");
        }

        return result;
    }

    private Dictionary<string, object> ParseDict()
    {
        Expect('{');
        var entries = new Dictionary<string, object>(StringComparer.Ordinal);
        while (true)
        {
            SkipWhitespace();
            if (TryConsume('}'))
            {
                return entries;
            }

            string key = ParseString();
            Expect(':');
            object value = ParseValue(key);
            if (!entries.TryAdd(key, value))
            {
                throw Error($"key '{key}' appears twice");
            }

            SkipWhitespace();
            if (TryConsume('}'))
            {
                return entries;
            }

            Expect(',');
        }
    }

    private object ParseValue(string key)
    {
        SkipWhitespace();
        if (position >= text.Length)
        {
            throw Error($"missing value for '{key}'");
        }

        char c = text[position];
        if (c is '\'' or '"')
        {
            return ParseString();
        }

        if (c == '(')
        {
            return ParseTuple();
        }

        if (c == '[')
        {
            throw new InvalidDataException(
                $"npy header: '{key}' is a list; structured (record) dtypes are not supported, expected one of {NpyDTypes.Supported}");
        }

        if (TryConsumeWord("True"))
        {
            return true;
        }

        if (TryConsumeWord("False"))
        {
            return false;
        }

        throw Error($"value of '{key}' is not a string, True/False or a tuple");
    }

    private string ParseString()
    {
        SkipWhitespace();
        if (position >= text.Length || text[position] is not ('\'' or '"'))
        {
            throw Error("expected a quoted string");
        }

        char quote = text[position++];
        int end = text.IndexOf(quote, position);
        if (end < 0)
        {
            throw Error("unterminated string");
        }

        string value = text[position..end];
        if (value.Contains('\\'))
        {
            throw Error($"escape sequences are not supported in '{value}'");
        }

        position = end + 1;
        return value;
    }

    private long[] ParseTuple()
    {
        Expect('(');
        var items = new List<long>();
        bool trailingComma = false;
        while (true)
        {
            SkipWhitespace();
            if (TryConsume(')'))
            {
                break;
            }

            items.Add(ParseInteger());
            SkipWhitespace();
            trailingComma = TryConsume(',');
            if (!trailingComma)
            {
                Expect(')');
                break;
            }
        }

        // In Python "(5)" is the integer 5, not a one-element tuple.
        if (items.Count == 1 && !trailingComma)
        {
            throw Error($"'({items[0]})' is an integer, not a tuple; a one-dimensional shape is written '({items[0]},)'");
        }

        return [.. items];
    }

    private long ParseInteger()
    {
        int start = position;
        if (position < text.Length && text[position] == '-')
        {
            position++;
        }

        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        string digits = text[start..position];
        if (digits.Length == 0 || digits == "-")
        {
            throw Error("expected an integer");
        }

        // Headers written by Python 2 may carry a long-integer suffix: (3L, 4L).
        if (position < text.Length && text[position] == 'L')
        {
            position++;
        }

        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw new InvalidDataException($"npy header: dimension {digits} overflows a 64-bit integer");
        }

        return value;
    }

    private void Expect(char c)
    {
        SkipWhitespace();
        if (!TryConsume(c))
        {
            throw Error($"expected '{c}'");
        }
    }

    private bool TryConsume(char c)
    {
        if (position < text.Length && text[position] == c)
        {
            position++;
            return true;
        }

        return false;
    }

    private bool TryConsumeWord(string word)
    {
        if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0)
        {
            return false;
        }

        int end = position + word.Length;
        if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
        {
            return false;
        }

        position = end;
        return true;
    }

    private void SkipWhitespace()
    {
        while (position < text.Length && text[position] is ' ' or '\t' or '\n' or '\r')
        {
            position++;
        }
    }

    private InvalidDataException Error(string problem)
    {
        const int Shown = 120;
        string excerpt = text.Length <= Shown ? text : text[..Shown] + "...";
        return new InvalidDataException($"npy header is malformed at character {position}: {problem} (header: {excerpt})");
    }
}
