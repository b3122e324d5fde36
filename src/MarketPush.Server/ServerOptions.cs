using System.Globalization;
using MarketPush.Server.Logging;
using Microsoft.Extensions.Logging;

namespace MarketPush.Server;

/// <summary>
/// The server's settings, from the command line (<see cref="Parse"/>) or set directly by tests. Validated before
/// anything starts: a bad flag stops the server with a message naming it rather than running misconfigured.
/// </summary>
public sealed class ServerOptions
{
    public const string Usage =
        """
        Usage: MarketPush.Server [options]
          --port N                    listen on 127.0.0.1:N (default 8080; 0 = any free port)
          --urls U[;U...]             listen on these URLs instead (e.g. http://0.0.0.0:8080)
          --heartbeat-ms N            ping after N ms of client silence, close 4002 after 2N (default 15000)
          --compression-threshold N   deflate only messages of at least N bytes (default 256)
          --max-message-bytes N       largest client message after decompression (default 16384)
          --shutdown-timeout-ms N     wait for close replies on shutdown (default 5000)
          --log-level L               Trace, Debug, Information, Warning, Error or None (default Information)
          --log-format F              text (default) or json (one JSON object per line, UTC timestamps)
          --max-connections N         most WebSocket connections at once; over it 503 + Retry-After (default 0 = unlimited)
          --diagnostics               map POST /debug/gc (forced full GC, answers RSS and heap bytes) for loadtests/
          --feed F                    a feed; give several for several (each owns its symbols):
                                        synthetic (default): the embedded market generator
                                        replay:PATH: play a capture file (.csv or .csv.lz4, see feeds/README.md)
                                        exchange:wss://HOST/PATH?products=BTC-USD,ETH-USD: a Coinbase-style venue (as CB:BTC-USD)
                                        none: no feed (symbols are known, nothing updates)
                                      without --feed, the Feeds section of appsettings.json (or --config) if any
          --speed S                   replay speed: 1 (recorded pace, default), 10, ... or max
          --loop                      replays start again at the end
          --replay-delay-ms N         replays wait N ms before their first event (let subscribers connect)
          --record PATH               record everything the feeds produce to PATH (.csv, or .csv.lz4 compressed)
          --stale-after-ms N          a symbol with no update for N ms is announced stale (default 15000)
          --config PATH               read settings (Feeds, Record) from this JSON file too
          --symbols N                 N generated instruments SYM0000..SYM{N-1} (default: the built-in list of ~500)
          --rate R                    synthetic quote updates per second over all symbols (default 2000; 0 = unpaced)
          --seed S                    synthetic feed seed: same seed and symbols, same market (default 1)
          --slow-consumer-ms N        close with 4001 a session whose queue stays full N ms (default 10000)
          --queue-max-frames N        bound of each session's outbound queue in frames (default 1024)
          --queue-max-bytes N         bound of each session's outbound queue in bytes (default 1048576)
          --max-subscriptions N       symbol-and-channel pairs per connection (default 10000)
          --max-bad-commands N        close with 1008 after more than N error replies ... (default 20)
          --bad-command-window-ms N   ... within this window (default 10000)
          --max-commands-per-second N sustained commands per connection before rate_limited (default 200)
          --admin-token T             enable the admin API under /admin/ (Authorization: Bearer T; at least 16
                                      printable ASCII characters; default: MARKETPUSH_ADMIN_TOKEN, else disabled)
          --help                      print this text
        """;

    public int Port { get; set; } = 8080;

    /// <summary>Semicolon-separated listen URLs; when set, <see cref="Port"/> is ignored.</summary>
    public string? Urls { get; set; }

    public int HeartbeatMs { get; set; } = 15_000;

    public int CompressionThresholdBytes { get; set; } = 256;

    public int MaxMessageBytes { get; set; } = 16_384;

    public int ShutdownTimeoutMs { get; set; } = 5_000;

    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary><c>--log-format</c>: console text (default) or one JSON object per line.</summary>
    public LogFormat LogFormat { get; set; } = LogFormat.Text;

    /// <summary><c>--max-connections</c>: most WebSocket connections open at once; 0 = unlimited.</summary>
    public int MaxConnections { get; set; }

    /// <summary>Maps the measurement endpoints (<c>POST /debug/gc</c>); off by default because they force full GCs.</summary>
    public bool Diagnostics { get; set; }

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
    public double ReplaySpeed { get; set; } = 1;

    /// <summary><c>--loop</c>: replays start again at the end of their file.</summary>
    public bool ReplayLoop { get; set; }

    /// <summary><c>--replay-delay-ms</c>: replays wait this long before their first event.</summary>
    public int ReplayStartDelayMs { get; set; }

    /// <summary><c>--record</c>: where to record everything the feeds produce.</summary>
    public string? RecordPath { get; set; }

    /// <summary><c>--stale-after-ms</c>: a symbol with no update for this long is announced stale.</summary>
    public int StaleAfterMs { get; set; } = 15_000;

    /// <summary><c>--config</c>: a JSON settings file read on top of appsettings.json.</summary>
    public string? ConfigPath { get; set; }

    /// <summary>Generated instruments <c>SYM0000</c>…; 0 = the built-in list of named equities and crypto pairs.</summary>
    public int Symbols { get; set; }

    /// <summary>Synthetic quote updates per second over all symbols (trades and book updates on top); 0 = unpaced.</summary>
    public double Rate { get; set; } = 2_000;

    public long Seed { get; set; } = 1;

    public int SlowConsumerMs { get; set; } = 10_000;

    public int QueueMaxFrames { get; set; } = 1024;

    public int QueueMaxBytes { get; set; } = 1024 * 1024;

    public int MaxSubscriptions { get; set; } = 10_000;

    public int MaxBadCommands { get; set; } = 20;

    public int BadCommandWindowMs { get; set; } = 10_000;

    public int MaxCommandsPerSecond { get; set; } = 200;

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
    /// an unknown flag, a missing value or a value out of range.
    /// </summary>
    public static ServerOptions Parse(string[] args) => Parse(args, Environment.GetEnvironmentVariable);

    /// <summary><see cref="Parse(string[])"/> with the environment given (tests).</summary>
    internal static ServerOptions Parse(string[] args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var options = new ServerOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string flag = arg;
            string? inlineValue = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2)
            {
                flag = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            switch (flag)
            {
                case "--help" or "-h" or "-?":
                    options.ShowHelp = true;
                    break;
                case "--port":
                    options.Port = ParseInt(flag, NextValue(ref i), 0, 65535);
                    break;
                case "--urls":
                    options.Urls = ParseUrls(flag, NextValue(ref i));
                    break;
                case "--heartbeat-ms":
                    options.HeartbeatMs = ParseInt(flag, NextValue(ref i), 10, int.MaxValue / 4);
                    break;
                case "--compression-threshold":
                    options.CompressionThresholdBytes = ParseInt(flag, NextValue(ref i), 0, int.MaxValue);
                    break;
                case "--max-message-bytes":
                    options.MaxMessageBytes = ParseInt(flag, NextValue(ref i), 125, 64 * 1024 * 1024);
                    break;
                case "--shutdown-timeout-ms":
                    options.ShutdownTimeoutMs = ParseInt(flag, NextValue(ref i), 0, 10 * 60 * 1000);
                    break;
                case "--diagnostics":
                    options.Diagnostics = inlineValue is null ? true : throw new OptionsException(flag, "takes no value");
                    break;
                case "--log-level":
                    options.LogLevel = ParseLogLevel(flag, NextValue(ref i));
                    break;
                case "--log-format":
                    options.LogFormat = ParseLogFormat(flag, NextValue(ref i));
                    break;
                case "--max-connections":
                    options.MaxConnections = ParseInt(flag, NextValue(ref i), 0, MaxConnectionsLimit);
                    break;
                case "--feed":
                    options.Feeds.Add(ParseFeed(flag, NextValue(ref i)));
                    break;
                case "--speed":
                    options.ReplaySpeed = ParseSpeed(flag, NextValue(ref i));
                    break;
                case "--loop":
                    options.ReplayLoop = inlineValue is null ? true : throw new OptionsException(flag, "takes no value");
                    break;
                case "--replay-delay-ms":
                    options.ReplayStartDelayMs = ParseInt(flag, NextValue(ref i), 0, 24 * 60 * 60 * 1000);
                    break;
                case "--record":
                    options.RecordPath = NextValue(ref i);
                    break;
                case "--stale-after-ms":
                    options.StaleAfterMs = ParseInt(flag, NextValue(ref i), 1, 24 * 60 * 60 * 1000);
                    break;
                case "--config":
                    options.ConfigPath = NextValue(ref i);
                    break;
                case "--symbols":
                    options.Symbols = ParseInt(flag, NextValue(ref i), 1, MaxSymbols);
                    break;
                case "--rate":
                    options.Rate = ParseRate(flag, NextValue(ref i));
                    break;
                case "--seed":
                    options.Seed = ParseLong(flag, NextValue(ref i));
                    break;
                case "--slow-consumer-ms":
                    options.SlowConsumerMs = ParseInt(flag, NextValue(ref i), 1, 24 * 60 * 60 * 1000);
                    break;
                case "--queue-max-frames":
                    options.QueueMaxFrames = ParseInt(flag, NextValue(ref i), 1, 1_000_000);
                    break;
                case "--queue-max-bytes":
                    options.QueueMaxBytes = ParseInt(flag, NextValue(ref i), 1024, int.MaxValue);
                    break;
                case "--max-subscriptions":
                    options.MaxSubscriptions = ParseInt(flag, NextValue(ref i), 1, 10_000_000);
                    break;
                case "--max-bad-commands":
                    options.MaxBadCommands = ParseInt(flag, NextValue(ref i), 1, 1_000_000);
                    break;
                case "--bad-command-window-ms":
                    options.BadCommandWindowMs = ParseInt(flag, NextValue(ref i), 1, 24 * 60 * 60 * 1000);
                    break;
                case "--max-commands-per-second":
                    options.MaxCommandsPerSecond = ParseInt(flag, NextValue(ref i), 1, 1_000_000);
                    break;
                case "--admin-token":
                    options.AdminToken = NextValue(ref i);
                    break;
                default:
                    throw new OptionsException(arg, "unknown option (see --help)");
            }

            string NextValue(ref int index)
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (index + 1 >= args.Length || args[index + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new OptionsException(flag, "needs a value");
                }

                return args[++index];
            }
        }

        if (options.AdminToken is null && environment(AdminTokenEnvironmentVariable) is { Length: > 0 } adminToken)
        {
            CheckAdminToken(AdminTokenEnvironmentVariable, adminToken);
            options.AdminToken = adminToken;
        }

        options.Validate();
        return options;
    }

    /// <summary>Checks values set directly (tests, embedding); throws <see cref="OptionsException"/> naming the flag.</summary>
    public void Validate()
    {
        CheckRange("--port", Port, 0, 65535);
        CheckRange("--heartbeat-ms", HeartbeatMs, 10, int.MaxValue / 4);
        CheckRange("--compression-threshold", CompressionThresholdBytes, 0, int.MaxValue);
        CheckRange("--max-message-bytes", MaxMessageBytes, 125, 64 * 1024 * 1024);
        CheckRange("--shutdown-timeout-ms", ShutdownTimeoutMs, 0, 10 * 60 * 1000);
        CheckRange("--max-connections", MaxConnections, 0, MaxConnectionsLimit);
        if (!Enum.IsDefined(LogFormat))
        {
            throw new OptionsException("--log-format", "must be text or json");
        }

        if (Urls is not null)
        {
            ParseUrls("--urls", Urls);
        }

        foreach (string feed in Feeds)
        {
            ParseFeed("--feed", feed);
        }

        if (Feeds.Count > 1 && Feeds.Contains(FeedNone))
        {
            throw new OptionsException("--feed", "none cannot be combined with other feeds");
        }

        if (!(ReplaySpeed > 0))
        {
            throw new OptionsException("--speed", "must be above 0 (or max)");
        }

        CheckRange("--replay-delay-ms", ReplayStartDelayMs, 0, 24 * 60 * 60 * 1000);
        CheckRange("--stale-after-ms", StaleAfterMs, 1, 24 * 60 * 60 * 1000);
        if (RecordPath is not null && string.IsNullOrWhiteSpace(RecordPath))
        {
            throw new OptionsException("--record", "needs a file path");
        }

        if (ConfigPath is not null && !File.Exists(ConfigPath))
        {
            throw new OptionsException("--config", $"no such file '{ConfigPath}'");
        }
        if (Symbols != 0)
        {
            CheckRange("--symbols", Symbols, 1, MaxSymbols);
        }

        if (!double.IsFinite(Rate) || Rate < 0)
        {
            throw new OptionsException("--rate", "must be a number of quotes per second, 0 or more");
        }

        CheckRange("--slow-consumer-ms", SlowConsumerMs, 1, 24 * 60 * 60 * 1000);
        CheckRange("--queue-max-frames", QueueMaxFrames, 1, 1_000_000);
        CheckRange("--queue-max-bytes", QueueMaxBytes, 1024, int.MaxValue);
        CheckRange("--max-subscriptions", MaxSubscriptions, 1, 10_000_000);
        CheckRange("--max-bad-commands", MaxBadCommands, 1, 1_000_000);
        CheckRange("--bad-command-window-ms", BadCommandWindowMs, 1, 24 * 60 * 60 * 1000);
        CheckRange("--max-commands-per-second", MaxCommandsPerSecond, 1, 1_000_000);
        if (AdminToken is not null)
        {
            CheckAdminToken("--admin-token", AdminToken);
        }
    }

    /// <summary>The listen URLs: <see cref="Urls"/> split, or http://127.0.0.1:<see cref="Port"/>.</summary>
    public string[] GetListenUrls() =>
        Urls is null
            ? [$"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}"]
            : Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int ParseInt(string flag, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result))
        {
            throw new OptionsException(flag, $"'{value}' is not a whole number");
        }

        CheckRange(flag, result, min, max);
        return result;
    }

    private static long ParseLong(string flag, string value)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long result))
        {
            throw new OptionsException(flag, $"'{value}' is not a whole number");
        }

        return result;
    }

    private static double ParseRate(string flag, string value)
    {
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double rate) || !double.IsFinite(rate) || rate > 10_000_000)
        {
            throw new OptionsException(flag, $"'{value}' is not a rate (quotes per second, 0 to 10000000)");
        }

        return rate;
    }

    /// <summary>Checks a <c>--feed</c> value's form (files and URLs are checked when the feeds are built).</summary>
    private static string ParseFeed(string flag, string value)
    {
        if (value == FeedNone)
        {
            return value;
        }

        try
        {
            MarketPush.Engine.Feeds.Configuration.FeedConfiguration.ParseFeedFlag(value, flag);
            return value;
        }
        catch (MarketPush.Engine.Feeds.Configuration.FeedConfigurationException ex)
        {
            throw new OptionsException(flag, ex.Problem);
        }
    }

    private static double ParseSpeed(string flag, string value)
    {
        try
        {
            return MarketPush.Engine.Feeds.Replay.ReplayFeedOptions.ParseSpeed(value);
        }
        catch (FormatException ex)
        {
            throw new OptionsException(flag, ex.Message);
        }
    }

    // The message never repeats the token: stderr and logs are not the place for a secret.
    private static void CheckAdminToken(string source, string token)
    {
        if (token.Length < MinAdminTokenLength)
        {
            throw new OptionsException(source, $"must be at least {MinAdminTokenLength.ToString(CultureInfo.InvariantCulture)} characters (got {token.Length.ToString(CultureInfo.InvariantCulture)})");
        }

        foreach (char c in token)
        {
            if (c is <= ' ' or > '~')
            {
                throw new OptionsException(source, "must be printable ASCII without spaces (it is sent in an Authorization header)");
            }
        }
    }

    private static void CheckRange(string flag, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new OptionsException(flag, $"{value.ToString(CultureInfo.InvariantCulture)} is out of range ({min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)})");
        }
    }

    private static string ParseUrls(string flag, string value)
    {
        string[] urls = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            throw new OptionsException(flag, "needs at least one URL");
        }

        foreach (string url in urls)
        {
            // Kestrel also takes http://*:port and http://+:port, which Uri does not parse as hosts.
            string probe = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(probe, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new OptionsException(flag, $"'{url}' is not an http:// or https:// URL");
            }
        }

        return value;
    }

    private static LogFormat ParseLogFormat(string flag, string value) => value.ToUpperInvariant() switch
    {
        "TEXT" => LogFormat.Text,
        "JSON" => LogFormat.Json,
        _ => throw new OptionsException(flag, $"'{value}' is not text or json"),
    };

    private static LogLevel ParseLogLevel(string flag, string value)
    {
        if (!Enum.TryParse(value, ignoreCase: true, out LogLevel level) || !Enum.IsDefined(level) || int.TryParse(value, out _))
        {
            throw new OptionsException(flag, $"'{value}' is not one of Trace, Debug, Information, Warning, Error, Critical, None");
        }

        return level;
    }
}
