namespace MarketPush.CommandLine;

/// <summary>What <see cref="FlagTable{TOptions}.Parse"/> saw besides the values it set: help asked for, and which flags were given.</summary>
public sealed class FlagParseResult
{
    private readonly HashSet<string> _given;

    internal FlagParseResult(bool helpRequested, HashSet<string> given)
    {
        HelpRequested = helpRequested;
        _given = given;
    }

    /// <summary><c>--help</c>, <c>-h</c> or <c>-?</c> was given: print <see cref="FlagTable{TOptions}.Help"/> and exit 0.</summary>
    public bool HelpRequested { get; }

    /// <summary>Whether <paramref name="name"/> (e.g. <c>--duration</c>) appeared on the command line.</summary>
    public bool IsGiven(string name) => _given.Contains(name);
}
