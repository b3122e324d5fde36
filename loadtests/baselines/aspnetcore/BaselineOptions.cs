using MarketPush.CommandLine;

namespace MarketPush.Baseline.AspNetCore;

/// <summary>
/// Command-line flags, the same as MarketPush's synthetic feed flags so run-bench.sh starts every contender alike:
/// <c>--port --symbols --rate --seed</c>, plus the per-message compression threshold and the per-connection queue bound.
/// Each is defined once in the flag table below (the server's and the load runner's table type): a value out of range
/// is refused naming the flag and the range, never clamped, so a benchmark never runs with settings nobody asked for.
/// </summary>
internal sealed class BaselineOptions
{
    private static readonly FlagTable<BaselineOptions> s_flags = new FlagTable<BaselineOptions>()
        .Int("--port", "N", "listen on 127.0.0.1:N (0 = any free port)", o => o.Port, (o, v) => o.Port = v, 8080, 0, 65535)
        .Int("--symbols", "N", "generated symbols SYM0000..SYM{N-1}", o => o.Symbols, (o, v) => o.Symbols = v, 100, 1, 100_000)
        .Double("--rate", "R", "quote updates per second across all symbols, round robin", o => o.Rate, (o, v) => o.Rate = v, 1_000, 0, 10_000_000)
        .Long("--seed", "S", "quote generator seed", (o, v) => o.Seed = v, 1)
        .Int("--compression-threshold", "N", "deflate only messages of at least N bytes",
            o => o.CompressionThreshold, (o, v) => o.CompressionThreshold = v, 256, 0, int.MaxValue)
        .Int("--queue", "N", "per-connection queue bound in messages (the oldest is dropped when full)",
            o => o.QueueCapacity, (o, v) => o.QueueCapacity = v, 1024, 1, 1_000_000);

    public BaselineOptions() => s_flags.SetDefaults(this);

    public static string Usage => s_flags.Help("Usage: MarketPush.Baseline.AspNetCore [options]");

    public int Port { get; set; }

    /// <summary>Generated symbols SYM0000.. (the same names MarketPush's <c>--symbols N</c> generates).</summary>
    public int Symbols { get; set; }

    /// <summary>Quote updates per second across all symbols, round robin.</summary>
    public double Rate { get; set; }

    public long Seed { get; set; }

    /// <summary>Messages shorter than this go out uncompressed on deflate connections (MarketPush's default is 256 too).</summary>
    public int CompressionThreshold { get; set; }

    /// <summary>Per-connection queue bound in messages; the oldest is dropped when full.</summary>
    public int QueueCapacity { get; set; }

    /// <summary>True when <c>--help</c> was given.</summary>
    public bool ShowHelp { get; private set; }

    /// <summary>Parses and validates; throws <see cref="CommandLineException"/> naming the flag and its range.</summary>
    public static BaselineOptions Parse(string[] args)
    {
        var options = new BaselineOptions();
        options.ShowHelp = s_flags.Parse(args, options).HelpRequested;
        s_flags.Validate(options);
        return options;
    }
}
