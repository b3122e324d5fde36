using System.Globalization;
using System.Net;

namespace MarketPush.LoadGen.Options;

/// <summary>
/// Everything one load run needs, from the command line (<see cref="Parse"/>) or set by a test. Validated before any
/// socket opens: the runner talks to 127.0.0.1 only and every run has a bounded duration, so a typo can neither load
/// another host nor leave a runner going.
/// </summary>
public sealed class RunOptions
{
    public const string Usage =
        """
        Usage: MarketPush.LoadGen [run] --url ws://127.0.0.1:PORT/v1/stream [options]
               MarketPush.LoadGen summarize --in DIR --out FILE.md [--reference LABEL] [--title TEXT]

        Target (127.0.0.1 only):
          --url U                    ws://127.0.0.1:PORT/PATH (or --port N for ws://127.0.0.1:N/v1/stream)
        Scenario:
          --scenario S               fanout | wide | idle | churn | slow | compression | replay (default fanout)
          --connections N            connections (default 100); with --load, the largest step target
          --symbols-per-conn K       symbols each connection subscribes to (default 1; idle 2; replay: all)
          --server-symbols N         how many generated symbols the server has, SYM0000.. (default 100)
          --symbol-prefix P          prefix of the generated symbols (default SYM)
          --symbols-list A,B,...     explicit symbol universe instead of generated names
          --slow-share F             slow: share of connections that stop reading (default 0.01)
          --hold-ms N                churn: how long a connection stays subscribed before closing (default 0)
          --ping-ms N                send a ping every N ms per connection (default 0: only answer the server's)
          --deflate                  offer permessage-deflate in any scenario (compression implies it)
        Load simulation and time (always bounded):
          --load STEPS               ramp:N:S and keep:N:S steps, comma-separated (default keep:CONNECTIONS:DURATION)
          --duration S               seconds of load (default 20, at most 3600); implied by --load
          --warmup S                 seconds excluded from the results at the start (default 3)
        Measurement:
          --server-pid PID           read the server's CPU and RSS from /proc/PID
          --metrics-url U            scrape this Prometheus endpoint at the window's start and end (127.0.0.1 only)
          --offered N                deliveries/s the feed offers (reported alongside delivered)
          --threads N                I/O threads (default: CPUs available, at most 4)
          --connect-concurrency N    handshakes in flight per thread (default 256)
        Output:
          --out DIR                  where the JSON, Markdown and HTML results go (default ./loadgen-results)
          --name NAME                file name stem (default CASE-LABEL-yyyyMMdd-HHmmss)
          --label L                  contender name in reports (default: the server's welcome name)
          --case C                   case name in reports (default: the scenario)
          --quiet                    no live progress line
        """;

    public Uri Url { get; set; } = new("ws://127.0.0.1:8080/v1/stream");

    public ScenarioKind Scenario { get; set; } = ScenarioKind.Fanout;

    public int Connections { get; set; } = 100;

    /// <summary>Symbols per connection; null means the scenario's default (1; idle 2; replay every symbol).</summary>
    public int? SymbolsPerConnection { get; set; }

    public int ServerSymbols { get; set; } = 100;

    public string SymbolPrefix { get; set; } = "SYM";

    /// <summary>Explicit symbol universe; null means generated names (<see cref="SymbolPrefix"/> + 4 digits).</summary>
    public IReadOnlyList<string>? SymbolsList { get; set; }

    public double SlowShare { get; set; } = 0.01;

    public int HoldMs { get; set; }

    public int PingMs { get; set; }

    public bool Deflate { get; set; }

    /// <summary>The schedule; null means keep <see cref="Connections"/> for <see cref="DurationSeconds"/>.</summary>
    public LoadSimulation? Load { get; set; }

    public double DurationSeconds { get; set; } = 20;

    public double WarmupSeconds { get; set; } = 3;

    public int? ServerPid { get; set; }

    public Uri? MetricsUrl { get; set; }

    public double? OfferedPerSecond { get; set; }

    public int Threads { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    public int ConnectConcurrency { get; set; } = 256;

    public string OutputDirectory { get; set; } = "loadgen-results";

    public string? Name { get; set; }

    public string? Label { get; set; }

    public string? Case { get; set; }

    public bool Quiet { get; set; }

    /// <summary>Whether connections offer permessage-deflate.</summary>
    public bool OffersDeflate => Deflate || Scenario == ScenarioKind.Compression;

    /// <summary>The schedule actually used.</summary>
    public LoadSimulation EffectiveLoad =>
        Load ?? new LoadSimulation([new LoadStep(LoadStepKind.KeepConstant, Connections, DurationSeconds)]);

    /// <summary>Symbols per connection after the scenario's defaults; <paramref name="universe"/> is the symbol count.</summary>
    public int GetSymbolsPerConnection(int universe)
    {
        int wanted = Scenario switch
        {
            ScenarioKind.Wide => 1,
            _ when SymbolsPerConnection is int k => k,
            ScenarioKind.Idle => 2,
            ScenarioKind.Replay => universe,
            _ => 1,
        };
        return Math.Clamp(wanted, 0, Math.Max(universe, 0));
    }

    /// <summary>
    /// Parses <c>--flag value</c> and <c>--flag=value</c> (an optional leading <c>run</c> is skipped). Throws
    /// <see cref="LoadGenOptionsException"/> naming the flag.
    /// </summary>
    public static RunOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new RunOptions();
        bool durationGiven = false;
        bool connectionsGiven = false;
        int start = args.Count > 0 && args[0] == "run" ? 1 : 0;
        for (int i = start; i < args.Count; i++)
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
                case "--url":
                    options.Url = ParseTarget(flag, Value(ref i), "ws");
                    break;
                case "--port":
                    options.Url = new Uri(string.Create(CultureInfo.InvariantCulture, $"ws://127.0.0.1:{ParseInt(flag, Value(ref i), 1, 65535)}/v1/stream"));
                    break;
                case "--scenario":
                    options.Scenario = ParseScenario(flag, Value(ref i));
                    break;
                case "--connections":
                    options.Connections = ParseInt(flag, Value(ref i), 1, 100_000);
                    connectionsGiven = true;
                    break;
                case "--symbols-per-conn":
                    options.SymbolsPerConnection = ParseInt(flag, Value(ref i), 0, 100_000);
                    break;
                case "--server-symbols":
                    options.ServerSymbols = ParseInt(flag, Value(ref i), 1, 1_000_000);
                    break;
                case "--symbol-prefix":
                    options.SymbolPrefix = Value(ref i);
                    break;
                case "--symbols-list":
                    options.SymbolsList = ParseList(flag, Value(ref i));
                    break;
                case "--slow-share":
                    options.SlowShare = ParseDouble(flag, Value(ref i), 0, 1);
                    break;
                case "--hold-ms":
                    options.HoldMs = ParseInt(flag, Value(ref i), 0, 3_600_000);
                    break;
                case "--ping-ms":
                    options.PingMs = ParseInt(flag, Value(ref i), 0, 3_600_000);
                    break;
                case "--deflate":
                    options.Deflate = true;
                    break;
                case "--load":
                    options.Load = LoadSimulation.Parse(Value(ref i));
                    break;
                case "--duration":
                    options.DurationSeconds = ParseDouble(flag, Value(ref i), 0.5, 3600);
                    durationGiven = true;
                    break;
                case "--warmup":
                    options.WarmupSeconds = ParseDouble(flag, Value(ref i), 0, 3600);
                    break;
                case "--server-pid":
                    options.ServerPid = ParseInt(flag, Value(ref i), 1, int.MaxValue);
                    break;
                case "--metrics-url":
                    options.MetricsUrl = ParseTarget(flag, Value(ref i), "http");
                    break;
                case "--offered":
                    options.OfferedPerSecond = ParseDouble(flag, Value(ref i), 0, 1e12);
                    break;
                case "--threads":
                    options.Threads = ParseInt(flag, Value(ref i), 1, 64);
                    break;
                case "--connect-concurrency":
                    options.ConnectConcurrency = ParseInt(flag, Value(ref i), 1, 100_000);
                    break;
                case "--out":
                    options.OutputDirectory = Value(ref i);
                    break;
                case "--name":
                    options.Name = ParseName(flag, Value(ref i));
                    break;
                case "--label":
                    options.Label = ParseName(flag, Value(ref i));
                    break;
                case "--case":
                    options.Case = ParseName(flag, Value(ref i));
                    break;
                case "--quiet":
                    options.Quiet = true;
                    break;
                default:
                    throw new LoadGenOptionsException(arg, "unknown option (see --help)");
            }

            string Value(ref int index)
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (index + 1 >= args.Count || args[index + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new LoadGenOptionsException(flag, "needs a value");
                }

                return args[++index];
            }
        }

        if (options.Load is not null)
        {
            if (durationGiven && Math.Abs(options.DurationSeconds - options.Load.TotalSeconds) > 1e-9)
            {
                throw new LoadGenOptionsException("--duration", "differs from the total of the --load steps (give one or the other)");
            }

            if (connectionsGiven && options.Connections != options.Load.MaxConnections)
            {
                throw new LoadGenOptionsException("--connections", "differs from the largest --load target (give one or the other)");
            }

            options.DurationSeconds = options.Load.TotalSeconds;
            options.Connections = options.Load.MaxConnections;
        }

        options.Validate();
        return options;
    }

    /// <summary>Checks values set directly (tests); throws <see cref="LoadGenOptionsException"/> naming the flag.</summary>
    public void Validate()
    {
        ParseTarget("--url", Url.OriginalString, "ws");
        if (MetricsUrl is not null)
        {
            ParseTarget("--metrics-url", MetricsUrl.OriginalString, "http");
        }

        if (DurationSeconds is <= 0 or > 3600)
        {
            throw new LoadGenOptionsException("--duration", "must be in (0, 3600] seconds");
        }

        if (Load is not null && Math.Abs(Load.TotalSeconds - DurationSeconds) > 1e-9)
        {
            throw new LoadGenOptionsException("--load", "its steps must add up to --duration");
        }

        if (WarmupSeconds < 0 || WarmupSeconds >= DurationSeconds)
        {
            throw new LoadGenOptionsException("--warmup", "must be at least 0 and shorter than the duration");
        }

        if (SymbolsList is { Count: 0 })
        {
            throw new LoadGenOptionsException("--symbols-list", "needs at least one symbol");
        }

        if (Scenario == ScenarioKind.Slow && SlowShare <= 0)
        {
            throw new LoadGenOptionsException("--slow-share", "must be above 0 for the slow scenario");
        }

        if (Connections < 1 || Threads < 1 || ConnectConcurrency < 1)
        {
            throw new LoadGenOptionsException("--connections", "connections, threads and connect concurrency must be at least 1");
        }
    }

    /// <summary>
    /// Accepts only loopback IPv4 targets: 127.0.0.1 or localhost, with an explicit port. The runner can open
    /// thousands of connections a second; pointed at a shared host by mistake, that is an attack.
    /// </summary>
    internal static Uri ParseTarget(string flag, string value, string scheme)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || uri.Scheme != scheme)
        {
            throw new LoadGenOptionsException(flag, $"'{value}' is not a {scheme}:// URL");
        }

        bool loopback = uri.Host == "localhost" || (IPAddress.TryParse(uri.Host, out IPAddress? ip) && ip.Equals(IPAddress.Loopback));
        if (!loopback)
        {
            throw new LoadGenOptionsException(flag, $"refusing host '{uri.Host}': the load runner targets 127.0.0.1 only");
        }

        if (uri.IsDefaultPort || uri.Port <= 0)
        {
            throw new LoadGenOptionsException(flag, "needs an explicit port");
        }

        if (uri.Host == "localhost")
        {
            uri = new UriBuilder(uri) { Host = "127.0.0.1" }.Uri;
        }

        return uri;
    }

    private static ScenarioKind ParseScenario(string flag, string value) => value switch
    {
        "fanout" => ScenarioKind.Fanout,
        "wide" => ScenarioKind.Wide,
        "idle" => ScenarioKind.Idle,
        "churn" => ScenarioKind.Churn,
        "slow" => ScenarioKind.Slow,
        "compression" => ScenarioKind.Compression,
        "replay" => ScenarioKind.Replay,
        _ => throw new LoadGenOptionsException(flag, $"'{value}' is not one of fanout, wide, idle, churn, slow, compression, replay"),
    };

    private static int ParseInt(string flag, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result) || result < min || result > max)
        {
            throw new LoadGenOptionsException(flag, $"'{value}' is not a whole number in {min}..{max}");
        }

        return result;
    }

    private static double ParseDouble(string flag, string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double result)
            || double.IsNaN(result) || result < min || result > max)
        {
            throw new LoadGenOptionsException(flag, $"'{value}' is not a number in {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
        }

        return result;
    }

    private static string[] ParseList(string flag, string value)
    {
        string[] items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string item in items)
        {
            if (item.Any(c => c is '"' or '\\' || char.IsControl(c)))
            {
                throw new LoadGenOptionsException(flag, $"'{item}' contains a quote, backslash or control character");
            }
        }

        return items;
    }

    private static string ParseName(string flag, string value)
    {
        if (value.Length is 0 or > 80 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new LoadGenOptionsException(flag, $"'{value}' must be 1-80 characters of letters, digits, '-', '_' or '.'");
        }

        return value;
    }
}
