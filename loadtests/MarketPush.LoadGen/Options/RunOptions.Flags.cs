using System.Globalization;
using MarketPush.CommandLine;

namespace MarketPush.LoadGen.Options;

/// <summary>
/// The flag table of a run: every flag defined once (name, value, default, range, help). The constructor sets the
/// defaults from it, <see cref="Parse"/> parses with it, <see cref="Validate"/> checks against it and
/// <see cref="Usage"/> prints it.
/// </summary>
public sealed partial class RunOptions
{
    private const int Hour = 3_600_000;

    private static readonly (string, ScenarioKind)[] s_scenarios =
    [
        ("fanout", ScenarioKind.Fanout), ("wide", ScenarioKind.Wide), ("idle", ScenarioKind.Idle), ("churn", ScenarioKind.Churn),
        ("slow", ScenarioKind.Slow), ("compression", ScenarioKind.Compression), ("replay", ScenarioKind.Replay),
    ];

    private static readonly FlagTable<RunOptions> s_flags = new FlagTable<RunOptions>()
        .Section("Target (127.0.0.1 only):")
        .Value("--url", "U", "ws://127.0.0.1:PORT/PATH (or --port N for ws://127.0.0.1:N/v1/stream)",
            o => o.Url, (o, v) => o.Url = v, new Uri("ws://127.0.0.1:8080/v1/stream"), v => Target(v, "ws"), v => TargetProblem(v, "ws"),
            defaultText: "ws://127.0.0.1:8080/v1/stream")
        .Custom("--port", "N", "the same as --url ws://127.0.0.1:N/v1/stream",
            (o, v) => o.Url = new Uri(string.Create(CultureInfo.InvariantCulture, $"ws://127.0.0.1:{FlagValue.WholeNumber(v!, 1, 65535)}/v1/stream")),
            reset: null, check: null, rangeText: FlagValue.Range(1, 65535))
        .Section("Scenario:")
        .Choice("--scenario", "what the connections do", o => o.Scenario, (o, v) => o.Scenario = v, ScenarioKind.Fanout, s_scenarios, hint: "S")
        .Int("--connections", "N", "connections; with --load, the largest step target",
            o => o.Connections, (o, v) => o.Connections = v, 100, 1, 100_000)
        .OptionalInt("--symbols-per-conn", "K", "symbols each connection subscribes to",
            o => o.SymbolsPerConnection, (o, v) => o.SymbolsPerConnection = v, 0, 100_000, defaultText: "1; idle 2; replay: all")
        .Int("--server-symbols", "N", "how many generated symbols the server has, SYM0000..",
            o => o.ServerSymbols, (o, v) => o.ServerSymbols = v, 100, 1, 1_000_000)
        .Value("--symbol-prefix", "P", "prefix of the generated symbols", o => o.SymbolPrefix, (o, v) => o.SymbolPrefix = v, "SYM", v => v, defaultText: "SYM")
        .Value<IReadOnlyList<string>?>("--symbols-list", "A,B,...", "explicit symbol universe instead of generated names",
            o => o.SymbolsList, (o, v) => o.SymbolsList = v, null, ParseList, v => v is { Count: 0 } ? "needs at least one symbol" : null)
        .Double("--slow-share", "F", "slow: share of connections that stop reading",
            o => o.SlowShare, (o, v) => o.SlowShare = v, 0.01, 0, 1, allowExponent: true)
        .Int("--hold-ms", "N", "churn: how long a connection stays subscribed before closing",
            o => o.HoldMs, (o, v) => o.HoldMs = v, 0, 0, Hour)
        .Int("--ping-ms", "N", "send a ping every N ms per connection (0: only answer the server's)",
            o => o.PingMs, (o, v) => o.PingMs = v, 0, 0, Hour)
        .Switch("--deflate", "offer permessage-deflate in any scenario (compression implies it)", (o, v) => o.Deflate = v)
        .Section("Load simulation and time (always bounded):")
        .Value<LoadSimulation?>("--load", "STEPS", "ramp:N:S and keep:N:S steps, comma-separated",
            o => o.Load, (o, v) => o.Load = v, null, LoadSimulation.Parse, defaultText: "keep:CONNECTIONS:DURATION")
        .Double("--duration", "S", "seconds of load; implied by --load",
            o => o.DurationSeconds, (o, v) => o.DurationSeconds = v, 20, 0.5, 3600, allowExponent: true)
        .Double("--warmup", "S", "seconds excluded from the results at the start",
            o => o.WarmupSeconds, (o, v) => o.WarmupSeconds = v, 3, 0, 3600, allowExponent: true)
        .Section("Measurement:")
        .OptionalInt("--server-pid", "PID", "read the server's CPU and RSS from /proc/PID",
            o => o.ServerPid, (o, v) => o.ServerPid = v, 1, int.MaxValue)
        .Value<Uri?>("--metrics-url", "U", "scrape this Prometheus endpoint at the window's start and end (127.0.0.1 only)",
            o => o.MetricsUrl, (o, v) => o.MetricsUrl = v, null, v => Target(v, "http"), v => TargetProblem(v, "http"))
        .OptionalDouble("--offered", "N", "deliveries/s the feed offers (reported alongside delivered)",
            o => o.OfferedPerSecond, (o, v) => o.OfferedPerSecond = v, 0, 1e12, allowExponent: true)
        .Int("--threads", "N", "I/O threads",
            o => o.Threads, (o, v) => o.Threads = v, Math.Clamp(Environment.ProcessorCount, 1, 4), 1, 64, defaultText: "CPUs available, at most 4")
        .Int("--connect-concurrency", "N", "handshakes in flight per thread",
            o => o.ConnectConcurrency, (o, v) => o.ConnectConcurrency = v, 256, 1, 100_000)
        .Section("Output:")
        .Value("--out", "DIR", "where the JSON, Markdown and HTML results go",
            o => o.OutputDirectory, (o, v) => o.OutputDirectory = v, "loadgen-results", v => v, defaultText: "./loadgen-results")
        .Value<string?>("--name", "NAME", "file name stem", o => o.Name, (o, v) => o.Name = v, null, ParseName, defaultText: "CASE-LABEL-yyyyMMdd-HHmmss")
        .Value<string?>("--label", "L", "contender name in reports", o => o.Label, (o, v) => o.Label = v, null, ParseName, defaultText: "the server's welcome name")
        .Value<string?>("--case", "C", "case name in reports", o => o.Case, (o, v) => o.Case = v, null, ParseName, defaultText: "the scenario")
        .Switch("--quiet", "no live progress line", (o, v) => o.Quiet = v);
}
