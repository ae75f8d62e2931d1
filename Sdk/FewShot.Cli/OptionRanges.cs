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
    public static Option<int> AtLeast(this Option<int> option, int minimum)
    {
        option.Validators.Add(result =>
        {
            if (Value<int>(result) is (var value, true))
            {
                Check(result, value, minimum);
            }
        });
        return option;
    }

    /// <inheritdoc cref="AtLeast(Option{int}, int)"/>
    public static Option<int?> AtLeast(this Option<int?> option, int minimum)
    {
        option.Validators.Add(result =>
        {
            if (Value<int?>(result) is ({ } value, true))
            {
                Check(result, value, minimum);
            }
        });
        return option;
    }

    /// <summary>Refuses a given value that is not a finite number above zero.</summary>
    public static Option<double> Positive(this Option<double> option)
    {
        option.Validators.Add(result =>
        {
            if (Value<double>(result) is (var value, true))
            {
                CheckPositive(result, value);
            }
        });
        return option;
    }

    /// <inheritdoc cref="Positive(Option{double})"/>
    public static Option<double?> Positive(this Option<double?> option)
    {
        option.Validators.Add(result =>
        {
            if (Value<double?>(result) is ({ } value, true))
            {
                CheckPositive(result, value);
            }
        });
        return option;
    }

    /// <inheritdoc cref="Positive(Option{double})"/>
    public static Option<float?> Positive(this Option<float?> option)
    {
        option.Validators.Add(result =>
        {
            if (Value<float?>(result) is ({ } value, true))
            {
                CheckPositive(result, value);
            }
        });
        return option;
    }

    // A value that does not parse as a number has its own parse error; the range is not checked then.
    private static (T? Value, bool Parsed) Value<T>(OptionResult result)
    {
        try
        {
            return (result.GetValueOrDefault<T>(), true);
        }
        catch (InvalidOperationException)
        {
            return (default, false);
        }
    }

    private static void Check(OptionResult result, int value, int minimum)
    {
        if (value < minimum)
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{result.Option.Name} must be at least {minimum}, got {value}"));
        }
    }

    private static void CheckPositive(OptionResult result, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{result.Option.Name} must be a finite number above 0, got {value}"));
        }
    }
}
