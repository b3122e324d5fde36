namespace MarketPush.CommandLine;

/// <summary>
/// A flag the command line cannot accept: unknown, missing its value, not of its type, or out of its range. Thrown
/// by <see cref="FlagTable{TOptions}"/> while parsing or validating; the message starts with the flag as typed, so a
/// program prints it and exits with code 2 before anything starts.
/// </summary>
public sealed class CommandLineException : Exception
{
    public CommandLineException(string flag, string problem)
        : base($"{flag}: {problem}")
    {
        Flag = flag;
        Problem = problem;
    }

    /// <summary>The offending flag (or environment variable) as typed, e.g. <c>--heartbeat-ms</c>.</summary>
    public string Flag { get; }

    /// <summary>What is wrong with it, without the flag: "70000 is out of range (0..65535)".</summary>
    public string Problem { get; }
}
