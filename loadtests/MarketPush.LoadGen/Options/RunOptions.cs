using System.Net;
using MarketPush.CommandLine;

namespace MarketPush.LoadGen.Options;

/// <summary>
/// Everything one load run needs, from the command line (<see cref="Parse"/>) or set by a test. Validated before any
/// socket opens: the runner talks to 127.0.0.1 only and every run has a bounded duration, so a typo can neither load
/// another host nor leave a runner going. Every flag's name, default, range and help is defined once, in
/// <c>RunOptions.Flags.cs</c>: the constructor sets the defaults from it and parsing, <see cref="Validate"/> and
/// <see cref="Usage"/> read it. A value out of range is refused naming the flag and the range, never clamped.
/// </summary>
public sealed partial class RunOptions
{
    public RunOptions() => s_flags.SetDefaults(this);

    /// <summary>The <c>--help</c> text, generated from the flag table.</summary>
    public static string Usage => s_flags.Help(
        """
        Usage: MarketPush.LoadGen [run] --url ws://127.0.0.1:PORT/v1/stream [options]
               MarketPush.LoadGen summarize --in DIR --out FILE.md [--reference LABEL] [--title TEXT] [--notes-file FILE]

        """);

    // Non-null defaults come from the flag table in the constructor.
    public Uri Url { get; set; } = null!;

    public ScenarioKind Scenario { get; set; }

    public int Connections { get; set; }

    /// <summary>Symbols per connection; null means the scenario's default (1; idle 2; replay every symbol).</summary>
    public int? SymbolsPerConnection { get; set; }

    public int ServerSymbols { get; set; }

    public string SymbolPrefix { get; set; } = null!;

    /// <summary>Explicit symbol universe; null means generated names (<see cref="SymbolPrefix"/> + 4 digits).</summary>
    public IReadOnlyList<string>? SymbolsList { get; set; }

    public double SlowShare { get; set; }

    public int HoldMs { get; set; }

    public int PingMs { get; set; }

    public bool Deflate { get; set; }

    /// <summary>The schedule; null means keep <see cref="Connections"/> for <see cref="DurationSeconds"/>.</summary>
    public LoadSimulation? Load { get; set; }

    public double DurationSeconds { get; set; }

    public double WarmupSeconds { get; set; }

    public int? ServerPid { get; set; }

    public Uri? MetricsUrl { get; set; }

    public double? OfferedPerSecond { get; set; }

    public int Threads { get; set; }

    public int ConnectConcurrency { get; set; }

    public string OutputDirectory { get; set; } = null!;

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
        FlagParseResult given;
        try
        {
            given = s_flags.Parse(args, options, start: args.Count > 0 && args[0] == "run" ? 1 : 0);
        }
        catch (CommandLineException ex)
        {
            throw new LoadGenOptionsException(ex.Flag, ex.Problem);
        }

        if (options.Load is not null)
        {
            if (given.IsGiven("--duration") && Math.Abs(options.DurationSeconds - options.Load.TotalSeconds) > 1e-9)
            {
                throw new LoadGenOptionsException("--duration", "differs from the total of the --load steps (give one or the other)");
            }

            if (given.IsGiven("--connections") && options.Connections != options.Load.MaxConnections)
            {
                throw new LoadGenOptionsException("--connections", "differs from the largest --load target (give one or the other)");
            }

            options.DurationSeconds = options.Load.TotalSeconds;
            options.Connections = options.Load.MaxConnections;
        }

        options.Validate();
        return options;
    }

    /// <summary>Checks values set directly (tests) against the flag table and the rules across flags; throws <see cref="LoadGenOptionsException"/> naming the flag.</summary>
    public void Validate()
    {
        try
        {
            s_flags.Validate(this);
        }
        catch (CommandLineException ex)
        {
            throw new LoadGenOptionsException(ex.Flag, ex.Problem);
        }

        if (Load is not null && Math.Abs(Load.TotalSeconds - DurationSeconds) > 1e-9)
        {
            throw new LoadGenOptionsException("--load", "its steps must add up to --duration");
        }

        if (WarmupSeconds >= DurationSeconds)
        {
            throw new LoadGenOptionsException("--warmup", "must be shorter than the duration");
        }

        if (Scenario == ScenarioKind.Slow && SlowShare <= 0)
        {
            throw new LoadGenOptionsException("--slow-share", "must be above 0 for the slow scenario");
        }
    }

    /// <summary>
    /// Accepts only loopback IPv4 targets: 127.0.0.1 or localhost, with an explicit port. The runner can open
    /// thousands of connections a second; pointed at a shared host by mistake, that is an attack.
    /// </summary>
    internal static Uri ParseTarget(string flag, string value, string scheme)
    {
        try
        {
            return Target(value, scheme);
        }
        catch (FormatException ex)
        {
            throw new LoadGenOptionsException(flag, ex.Message);
        }
    }

    // The problem as a FormatException's message, as the flag table expects.
    private static Uri Target(string value, string scheme)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || uri.Scheme != scheme)
        {
            throw new FormatException($"'{value}' is not a {scheme}:// URL");
        }

        bool loopback = uri.Host == "localhost" || (IPAddress.TryParse(uri.Host, out IPAddress? ip) && ip.Equals(IPAddress.Loopback));
        if (!loopback)
        {
            throw new FormatException($"refusing host '{uri.Host}': the load runner targets 127.0.0.1 only");
        }

        if (uri.IsDefaultPort || uri.Port <= 0)
        {
            throw new FormatException("needs an explicit port");
        }

        if (uri.Host == "localhost")
        {
            uri = new UriBuilder(uri) { Host = "127.0.0.1" }.Uri;
        }

        return uri;
    }

    private static string? TargetProblem(Uri? uri, string scheme)
    {
        try
        {
            _ = uri is null ? null : Target(uri.OriginalString, scheme);
            return null;
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }
    }

    private static string[] ParseList(string value)
    {
        string[] items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string item in items)
        {
            if (item.Any(c => c is '"' or '\\' || char.IsControl(c)))
            {
                throw new FormatException($"'{item}' contains a quote, backslash or control character");
            }
        }

        return items;
    }

    private static string ParseName(string value)
    {
        if (value.Length is 0 or > 80 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new FormatException($"'{value}' must be 1-80 characters of letters, digits, '-', '_' or '.'");
        }

        return value;
    }
}
