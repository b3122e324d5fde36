namespace MarketPush.LoadGen.Options;

/// <summary>A bad command-line flag: the message names the flag, so the runner can say exactly what to fix.</summary>
public sealed class LoadGenOptionsException : Exception
{
    public LoadGenOptionsException(string flag, string problem)
        : base($"{flag}: {problem}")
    {
        Flag = flag;
    }

    public string Flag { get; }
}
