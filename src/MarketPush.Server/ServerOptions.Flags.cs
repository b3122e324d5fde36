using System.Globalization;
using MarketPush.CommandLine;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Feeds.Replay;
using MarketPush.Engine.Transport;
using MarketPush.Server.Logging;
using Microsoft.Extensions.Logging;

namespace MarketPush.Server;

/// <summary>
/// The flag table: every command-line flag of the server, defined once (name, value, default, range, help). The
/// constructor sets the defaults from it, <see cref="Parse(string[])"/> parses with it, <see cref="Validate"/> checks
/// against it and <see cref="Usage"/> prints it; README's flag table is held to <c>--help</c> by a test.
/// </summary>
public sealed partial class ServerOptions
{
    private const int Day = 24 * 60 * 60 * 1000;

    private static readonly (string, LogLevel)[] s_logLevels =
        [.. Enum.GetValues<LogLevel>().Select(level => (level.ToString(), level))];

    private static readonly FlagTable<ServerOptions> s_flags = new FlagTable<ServerOptions>()
        .Int("--port", "N", "listen on 127.0.0.1:N (0 = any free port)", o => o.Port, (o, v) => o.Port = v, 8080, 0, 65535)
        .Value("--urls", "U[;U...]", "listen on these URLs instead (e.g. http://0.0.0.0:8080)",
            o => o.Urls, (o, v) => o.Urls = v, null, v => v, v => v is null ? null : CheckUrls(v))
        .Int("--heartbeat-ms", "N", "ping after N ms of client silence, close 4002 after 2N",
            o => o.HeartbeatMs, (o, v) => o.HeartbeatMs = v, 15_000, 10, int.MaxValue / 4)
        .Int("--compression-threshold", "N", "deflate only messages of at least N bytes",
            o => o.CompressionThresholdBytes, (o, v) => o.CompressionThresholdBytes = v, 256, 0, int.MaxValue)
        .Int("--max-message-bytes", "N", "largest client message after decompression; larger closes with 1009",
            o => o.MaxMessageBytes, (o, v) => o.MaxMessageBytes = v, 16_384, 125, 64 * 1024 * 1024)
        .Int("--shutdown-timeout-ms", "N", "wait for close replies on shutdown",
            o => o.ShutdownTimeoutMs, (o, v) => o.ShutdownTimeoutMs = v, 5_000, 0, 10 * 60 * 1000)
        .Choice("--log-level", "log level", o => o.LogLevel, (o, v) => o.LogLevel = v, LogLevel.Information, s_logLevels, hint: "L")
        .Choice("--log-format", "text, or json: one JSON object per line, UTC timestamps",
            o => o.LogFormat, (o, v) => o.LogFormat = v, LogFormat.Text, [("text", LogFormat.Text), ("json", LogFormat.Json)])
        .Int("--max-connections", "N", "most WebSocket connections at once; over it 503 + Retry-After",
            o => o.MaxConnections, (o, v) => o.MaxConnections = v, 0, 0, MaxConnectionsLimit, defaultText: "0 (unlimited)")
        .Switch("--diagnostics", "map POST /debug/gc (forced full GC, answers RSS and heap bytes) for loadtests/", (o, v) => o.Diagnostics = v)
        .Choice("--socket-writes", "socket: connections upgraded on the direct path write every frame straight to the socket;\npipe: every write goes through the output pipe (A/B measurements)",
            o => o.SocketWriteMode, (o, v) => o.SocketWriteMode = v, SocketWriteMode.Socket, [("socket", SocketWriteMode.Socket), ("pipe", SocketWriteMode.Pipe)])
        .Custom("--feed", "F",
            """
            a feed; give several for several (each owns its symbols):
              synthetic: the embedded market generator
              replay:PATH: play a capture file (.csv or .csv.lz4, see feeds/README.md)
              exchange:wss://HOST/PATH?products=BTC-USD,ETH-USD: a Coinbase-style venue (as CB:BTC-USD)
              none: no feed (symbols are known, nothing updates)
            without --feed, the Feeds section of appsettings.json (or --config) if any
            """,
            (o, v) => o.Feeds.Add(ParseFeed(v!)),
            o => o.Feeds.Clear(),
            CheckFeeds,
            defaultText: FeedSynthetic)
        .Value("--speed", "S", "replay speed: 1 (recorded pace), 10, ... or max",
            o => o.ReplaySpeed, (o, v) => o.ReplaySpeed = v, 1.0, ParseSpeed, v => v > 0 ? null : "must be above 0 (or max)", defaultText: "1")
        .Switch("--loop", "replays start again at the end", (o, v) => o.ReplayLoop = v)
        .Int("--replay-delay-ms", "N", "replays wait N ms before their first event (let subscribers connect)",
            o => o.ReplayStartDelayMs, (o, v) => o.ReplayStartDelayMs = v, 0, 0, Day)
        .Value("--record", "PATH", "record everything the feeds produce to PATH (.csv, or .csv.lz4 compressed)",
            o => o.RecordPath, (o, v) => o.RecordPath = v, null, v => v, v => v is not null && string.IsNullOrWhiteSpace(v) ? "needs a file path" : null)
        .Int("--stale-after-ms", "N", "a symbol with no update for N ms is announced stale",
            o => o.StaleAfterMs, (o, v) => o.StaleAfterMs = v, 15_000, 1, Day)
        .Value("--config", "PATH", "read settings (Feeds, Record) from this JSON file too",
            o => o.ConfigPath, (o, v) => o.ConfigPath = v, null, v => v, v => v is not null && !File.Exists(v) ? $"no such file '{v}'" : null)
        .Int("--symbols", "N", "N generated instruments SYM0000..SYM{N-1} instead of the built-in list of ~500",
            o => o.Symbols, (o, v) => o.Symbols = v, 0, 1, MaxSymbols, defaultText: "the built-in list")
        .Double("--rate", "R", "synthetic quote updates per second over all symbols (0 = unpaced)",
            o => o.Rate, (o, v) => o.Rate = v, 2_000, 0, 10_000_000)
        .Long("--seed", "S", "synthetic feed seed: same seed and symbols, same market", (o, v) => o.Seed = v, 1)
        .Int("--slow-consumer-ms", "N", "close with 4001 a session whose queue stays full N ms",
            o => o.SlowConsumerMs, (o, v) => o.SlowConsumerMs = v, 10_000, 1, Day)
        .Int("--queue-max-frames", "N", "bound of each session's outbound queue in frames",
            o => o.QueueMaxFrames, (o, v) => o.QueueMaxFrames = v, 1024, 1, 1_000_000)
        .Int("--queue-max-bytes", "N", "bound of each session's outbound queue in bytes",
            o => o.QueueMaxBytes, (o, v) => o.QueueMaxBytes = v, 1024 * 1024, 1024, int.MaxValue)
        .Int("--max-subscriptions", "N", "symbol-and-channel pairs per connection",
            o => o.MaxSubscriptions, (o, v) => o.MaxSubscriptions = v, 10_000, 1, 10_000_000)
        .Int("--max-bad-commands", "N", "close with 1008 after more than N error replies ...",
            o => o.MaxBadCommands, (o, v) => o.MaxBadCommands = v, 20, 1, 1_000_000)
        .Int("--bad-command-window-ms", "N", "... within this window",
            o => o.BadCommandWindowMs, (o, v) => o.BadCommandWindowMs = v, 10_000, 1, Day)
        .Int("--max-commands-per-second", "N", "sustained commands per connection before rate_limited",
            o => o.MaxCommandsPerSecond, (o, v) => o.MaxCommandsPerSecond = v, 200, 1, 1_000_000)
        .Value("--admin-token", "T",
            $"""
            enable the admin API under /admin/ (Authorization: Bearer T; at least {MinAdminTokenLength} printable
            ASCII characters); without it, {AdminTokenEnvironmentVariable} if set, else the API is off
            """,
            o => o.AdminToken, (o, v) => o.AdminToken = v, null, v => v, v => v is null ? null : CheckAdminToken(v), defaultText: "off");

    /// <summary>Checks a <c>--feed</c> value's form (files and URLs are checked when the feeds are built).</summary>
    private static string ParseFeed(string value)
    {
        if (value == FeedNone)
        {
            return value;
        }

        try
        {
            FeedConfiguration.ParseFeedFlag(value, "--feed");
            return value;
        }
        catch (FeedConfigurationException ex)
        {
            throw new FormatException(ex.Problem);
        }
    }

    private static string? CheckFeeds(ServerOptions options)
    {
        foreach (string feed in options.Feeds)
        {
            try
            {
                ParseFeed(feed);
            }
            catch (FormatException ex)
            {
                return ex.Message;
            }
        }

        return null;
    }

    private static double ParseSpeed(string value) => ReplayFeedOptions.ParseSpeed(value);

    // The message never repeats the token: stderr and logs are not the place for a secret.
    private static string? CheckAdminToken(string token)
    {
        if (token.Length < MinAdminTokenLength)
        {
            return $"must be at least {MinAdminTokenLength.ToString(CultureInfo.InvariantCulture)} characters (got {token.Length.ToString(CultureInfo.InvariantCulture)})";
        }

        foreach (char c in token)
        {
            if (c is <= ' ' or > '~')
            {
                return "must be printable ASCII without spaces (it is sent in an Authorization header)";
            }
        }

        return null;
    }

    private static string? CheckUrls(string value)
    {
        string[] urls = value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            return "needs at least one URL";
        }

        foreach (string url in urls)
        {
            // Kestrel also takes http://*:port and http://+:port, which Uri does not parse as hosts.
            string probe = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(probe, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return $"'{url}' is not an http:// or https:// URL";
            }
        }

        return null;
    }
}
