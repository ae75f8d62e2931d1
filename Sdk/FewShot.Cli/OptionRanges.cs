using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace FewShot.Cli;

/// <summary>
/// Range checks for numeric options, made while the command line is parsed: `--meta-batch 0` or `--meta-lr NaN` is
/// refused by the option's name before anything runs, instead of failing later with a library's parameter name (or,
/// for NaN, when the run's configuration is written).
/// </summary>
internal static class OptionRanges
{
    /// <summary>Refuses a given value below <paramref name="minimum"/>.</summary>
    public static Option<int> AtLeast(this Option<int> option, int minimum) =>
        option.Refuse(value => value < minimum ? Below(minimum, value) : null);

    /// <inheritdoc cref="AtLeast(Option{int}, int)"/>
    public static Option<int?> AtLeast(this Option<int?> option, int minimum) =>
        option.Refuse(value => value is { } given && given < minimum ? Below(minimum, given) : null);

    /// <summary>Refuses a given value above <paramref name="maximum"/>, saying <paramref name="why"/>.</summary>
    public static Option<int?> AtMost(this Option<int?> option, int maximum, string why) =>
        option.Refuse(value => value is { } given && given > maximum
            ? string.Create(CultureInfo.InvariantCulture, $"must be at most {maximum} ({why}), got {given}")
            : null);

    /// <summary>Refuses a given value that is not a finite number above zero.</summary>
    public static Option<double> Positive(this Option<double> option) =>
        option.Refuse(value => NotPositive(value));

    /// <inheritdoc cref="Positive(Option{double})"/>
    public static Option<double?> Positive(this Option<double?> option) =>
        option.Refuse(value => value is { } given ? NotPositive(given) : null);

    /// <inheritdoc cref="Positive(Option{double})"/>
    public static Option<float?> Positive(this Option<float?> option) =>
        option.Refuse(value => value is { } given ? NotPositive(given) : null);

    // Adds a validator that reports problem(value) under the option's name; a value that does not parse as a number has
    // its own parse error, and is not checked.
    private static Option<T> Refuse<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return;
            }

            if (problem(value) is { } text)
            {
                result.AddError($"{result.Option.Name} {text}");
            }
        });
        return option;
    }

    private static string Below(int minimum, int value) =>
        string.Create(CultureInfo.InvariantCulture, $"must be at least {minimum}, got {value}");

    private static string? NotPositive(double value) => double.IsFinite(value) && value > 0
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"must be a finite number above 0, got {value}");
}
