using System.Text.RegularExpressions;

namespace FewShot.Samples.WebService.Users;

/// <summary>Checks user ids, which name files in the state folder, so that no id can reach outside it.</summary>
public static partial class UserId
{
    /// <summary>What a valid id looks like: 1 to 64 ASCII letters, digits, '_' or '-'.</summary>
    public const string Pattern = "^[A-Za-z0-9_-]{1,64}$";

    /// <summary>Returns <paramref name="id"/> when it is valid.</summary>
    /// <exception cref="ArgumentException">The id is empty, too long or holds another character (such as '.', '/' or '%').</exception>
    public static string Validate(string? id) =>
        id is not null && Valid().IsMatch(id)
            ? id
            : throw new ArgumentException($"The user id '{id}' is not valid: use 1 to 64 ASCII letters, digits, '_' or '-'.", nameof(id));

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Valid();
}
