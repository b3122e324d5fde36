using System.Globalization;

namespace MarketPush.Engine.Feeds.Replay;

/// <summary>Settings of a <see cref="ReplayFeed"/> (<c>--feed replay:PATH --speed 10 --loop</c>, or a <c>Feeds</c> entry of kind <c>replay</c>).</summary>
public sealed class ReplayFeedOptions
{
    /// <summary>The <c>--speed max</c> value: no pacing, as fast as ingest takes the events.</summary>
    public const double MaxSpeed = double.PositiveInfinity;

    /// <summary>The capture to play (<c>.csv</c> or <c>.csv.lz4</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The feed's name (metrics label, logs).</summary>
    public string Name { get; init; } = "replay";

    /// <summary>1 = recorded pace, 10 = ten times faster, <see cref="MaxSpeed"/> = unpaced.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Start again at the end of the file (books are emptied between passes), until stopped.</summary>
    public bool Loop { get; init; }

    /// <summary>
    /// Wait this long before the first event: time for subscribers (a load test's clients) to connect and subscribe
    /// before a fast replay starts, so they see it from the beginning rather than only its last values.
    /// </summary>
    public TimeSpan StartDelay { get; init; }

    /// <summary>Prepended to each recorded symbol to find the instrument in the catalog (the feed's namespace).</summary>
    public string SymbolPrefix { get; init; } = "";

    /// <summary>Parses a <c>--speed</c> value: a positive number (<c>1</c>, <c>10</c>, <c>0.5</c>) or <c>max</c>.</summary>
    /// <exception cref="FormatException">Anything else, with a message fit for the user.</exception>
    public static double ParseSpeed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            return MaxSpeed;
        }

        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double speed) && speed > 0 && double.IsFinite(speed))
        {
            return speed;
        }

        throw new FormatException($"'{text}' is not a replay speed (a number above 0 such as 1 or 10, or max)");
    }

    /// <summary>The speed as <c>--speed</c> takes it.</summary>
    public static string FormatSpeed(double speed) => double.IsPositiveInfinity(speed) ? "max" : speed.ToString(CultureInfo.InvariantCulture);
}
