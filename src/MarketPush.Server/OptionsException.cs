namespace MarketPush.Server;

/// <summary>
/// A command-line flag the server refuses: unknown, missing its value, or out of range. The message names the flag;
/// Program prints it to stderr and exits with code 2 before anything starts.
/// </summary>
public sealed class OptionsException : Exception
{
    public OptionsException(string flag, string message)
        : base($"{flag}: {message}")
    {
        Flag = flag;
    }

    /// <summary>The offending flag as typed (e.g. <c>--heartbeat-ms</c>).</summary>
    public string Flag { get; }
}
