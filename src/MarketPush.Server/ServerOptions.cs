using System.Globalization;
using MarketPush.CommandLine;
using MarketPush.Engine.Transport;
using MarketPush.Server.Logging;
using Microsoft.Extensions.Logging;

namespace MarketPush.Server;

/// <summary>
/// The server's settings, from the command line (<see cref="Parse"/>) or set directly by tests. Validated before
/// anything starts: a bad flag stops the server with a message naming it and its allowed range rather than running
/// misconfigured. Every flag's name, default, range and help is defined once, in <c>ServerOptions.Flags.cs</c>; the
/// defaults below are set from there by the constructor, and <see cref="Usage"/> and <see cref="Validate"/> read the
/// same table.
/// </summary>
public sealed partial class ServerOptions
{
    public ServerOptions() => s_flags.SetDefaults(this);

    /// <summary>The <c>--help</c> text, generated from the flag table.</summary>
    public static string Usage => s_flags.Help("Usage: MarketPush.Server [options]");

    public int Port { get; set; }

    /// <summary>Semicolon-separated listen URLs; when set, <see cref="Port"/> is ignored.</summary>
    public string? Urls { get; set; }

    public int HeartbeatMs { get; set; }

    public int CompressionThresholdBytes { get; set; }

    public int MaxMessageBytes { get; set; }

    public int ShutdownTimeoutMs { get; set; }

    public LogLevel LogLevel { get; set; }

    /// <summary><c>--log-format</c>: console text (default) or one JSON object per line.</summary>
    public LogFormat LogFormat { get; set; }

    /// <summary><c>--max-connections</c>: most WebSocket connections open at once; 0 = unlimited.</summary>
    public int MaxConnections { get; set; }

    /// <summary>Maps the measurement endpoints (<c>POST /debug/gc</c>); off by default because they force full GCs.</summary>
    public bool Diagnostics { get; set; }

    /// <summary><c>--socket-writes</c>: direct connections write straight to the socket (default) or always through the output pipe.</summary>
    public SocketWriteMode SocketWriteMode { get; set; }

    /// <summary>
    /// The first <c>--feed</c> (<c>synthetic</c> when none was given): <c>synthetic</c>, <c>none</c>,
    /// <c>replay:PATH</c> or <c>exchange:URL?products=…</c>. Setting it replaces every feed; <see cref="Feeds"/> has them all.
    /// </summary>
    public string Feed
    {
        get => Feeds.Count > 0 ? Feeds[0] : FeedSynthetic;
        set
        {
            Feeds.Clear();
            Feeds.Add(value);
        }
    }

    /// <summary>Every <c>--feed</c> in order; empty: the configuration's <c>Feeds</c>, else the synthetic feed.</summary>
    public List<string> Feeds { get; } = [];

    /// <summary><c>--speed</c>: replay speed, <see cref="double.PositiveInfinity"/> for <c>max</c>.</summary>
    public double ReplaySpeed { get; set; }

    /// <summary><c>--loop</c>: replays start again at the end of their file.</summary>
    public bool ReplayLoop { get; set; }

    /// <summary><c>--replay-delay-ms</c>: replays wait this long before their first event.</summary>
    public int ReplayStartDelayMs { get; set; }

    /// <summary><c>--record</c>: where to record everything the feeds produce.</summary>
    public string? RecordPath { get; set; }

    /// <summary><c>--stale-after-ms</c>: a symbol with no update for this long is announced stale.</summary>
    public int StaleAfterMs { get; set; }

    /// <summary><c>--config</c>: a JSON settings file read on top of appsettings.json.</summary>
    public string? ConfigPath { get; set; }

    /// <summary>Generated instruments <c>SYM0000</c>…; 0 = the built-in list of named equities and crypto pairs.</summary>
    public int Symbols { get; set; }

    /// <summary>Synthetic quote updates per second over all symbols (trades and book updates on top); 0 = unpaced.</summary>
    public double Rate { get; set; }

    public long Seed { get; set; }

    public int SlowConsumerMs { get; set; }

    public int QueueMaxFrames { get; set; }

    public int QueueMaxBytes { get; set; }

    public int MaxSubscriptions { get; set; }

    public int MaxBadCommands { get; set; }

    public int BadCommandWindowMs { get; set; }

    public int MaxCommandsPerSecond { get; set; }

    /// <summary>
    /// <c>--admin-token</c> (else <see cref="AdminTokenEnvironmentVariable"/>): the bearer token of the admin API under
    /// <c>/admin/</c>; null disables the API (every <c>/admin/</c> path answers 404).
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>Read by <see cref="Parse"/> when <c>--admin-token</c> is not given (keeps the token out of <c>ps</c>).</summary>
    public const string AdminTokenEnvironmentVariable = "MARKETPUSH_ADMIN_TOKEN";

    /// <summary>Shortest admin token accepted: 16 characters, so a guessable word cannot guard the disconnect endpoint.</summary>
    public const int MinAdminTokenLength = 16;

    public const string FeedSynthetic = "synthetic";

    public const string FeedNone = "none";

    /// <summary>Each instrument keeps a 50-level book per side in the cache and the feed: about 10 KB apiece.</summary>
    public const int MaxSymbols = 100_000;

    /// <summary>Upper bound of <c>--max-connections</c>: far above what one process can hold, low enough to catch a typo.</summary>
    public const int MaxConnectionsLimit = 10_000_000;

    /// <summary>True when <c>--help</c> was given: print <see cref="Usage"/> and exit.</summary>
    public bool ShowHelp { get; set; }

    /// <summary>
    /// Parses <c>--flag value</c> and <c>--flag=value</c>. Throws <see cref="OptionsException"/> naming the flag for
    /// an unknown flag, a missing value or a value out of range (the message gives the range).
    /// </summary>
    public static ServerOptions Parse(string[] args) => Parse(args, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Parse(string[])"/> with the environment given (tests).</summary>
    internal static ServerOptions Parse(string[] args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var options = new ServerOptions();
        try
        {
            options.ShowHelp = s_flags.Parse(args, options).HelpRequested;
        }
        catch (CommandLineException ex)
        {
            throw new OptionsException(ex.Flag, ex.Problem);
        }

        if (options.AdminToken is null && environment(AdminTokenEnvironmentVariable) is { Length: > 0 } adminToken)
        {
            if (CheckAdminToken(adminToken) is string problem)
            {
                throw new OptionsException(AdminTokenEnvironmentVariable, problem);
            }

            options.AdminToken = adminToken;
        }

        options.Validate();
        return options;
    }

    /// <summary>Checks values set directly (tests, embedding) against the flag table; throws <see cref="OptionsException"/> naming the flag.</summary>
    public void Validate()
    {
        try
        {
            s_flags.Validate(this);
        }
        catch (CommandLineException ex)
        {
            throw new OptionsException(ex.Flag, ex.Problem);
        }

        // The one rule across flags: "no feed" cannot be mixed with feeds.
        if (Feeds.Count > 1 && Feeds.Contains(FeedNone))
        {
            throw new OptionsException("--feed", "none cannot be combined with other feeds");
        }
    }

    /// <summary>The listen URLs: <see cref="Urls"/> split, or http://127.0.0.1:<see cref="Port"/>.</summary>
    public string[] GetListenUrls() =>
        Urls is null
            ? [$"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}"]
            : Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
