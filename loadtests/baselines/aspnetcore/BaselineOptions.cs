using System.Globalization;

namespace MarketPush.Baseline.AspNetCore;

/// <summary>
/// Command-line flags, the same as MarketPush's synthetic feed flags so run-bench.sh starts every contender alike:
/// <c>--port --symbols --rate --seed</c>, plus the per-message compression threshold and the per-connection queue bound.
/// </summary>
internal sealed class BaselineOptions
{
    public int Port { get; private set; } = 8080;

    /// <summary>Generated symbols SYM0000.. (the same names MarketPush's <c>--symbols N</c> generates).</summary>
    public int Symbols { get; private set; } = 100;

    /// <summary>Quote updates per second across all symbols, round robin.</summary>
    public double Rate { get; private set; } = 1_000;

    public long Seed { get; private set; } = 1;

    /// <summary>Messages shorter than this go out uncompressed on deflate connections (MarketPush's default is 256 too).</summary>
    public int CompressionThreshold { get; private set; } = 256;

    /// <summary>Per-connection queue bound in messages; the oldest is dropped when full.</summary>
    public int QueueCapacity { get; private set; } = 1024;

    public static BaselineOptions Parse(string[] args)
    {
        var options = new BaselineOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{flag} needs a value");
            switch (flag)
            {
                case "--port": options.Port = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--symbols": options.Symbols = Math.Max(1, int.Parse(Value(), CultureInfo.InvariantCulture)); break;
                case "--rate": options.Rate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--seed": options.Seed = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--compression-threshold": options.CompressionThreshold = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--queue": options.QueueCapacity = Math.Max(1, int.Parse(Value(), CultureInfo.InvariantCulture)); break;
                default: throw new ArgumentException($"unknown option {flag}");
            }
        }

        return options;
    }
}
