using System.Buffers;
using System.Globalization;
using MarketPush.Engine.Feeds.Replay;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;
using Microsoft.Extensions.Configuration;

namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>
/// The server's feeds, from the <c>Feeds</c> section of appsettings.json (<see cref="Read"/>) or from <c>--feed</c>
/// flags (<see cref="ParseFeedFlag"/> then <see cref="Create"/>), validated before anything starts: a bad entry throws
/// <see cref="FeedConfigurationException"/> naming its key. Example:
/// <code>
/// "Feeds": [
///   { "Kind": "synthetic", "Symbols": 100, "Rate": 500 },
///   { "Kind": "replay", "Name": "yesterday", "Prefix": "R:", "Path": "feeds/sample-3min.csv.lz4", "Speed": "10", "Loop": true },
///   { "Kind": "exchange", "Url": "wss://ws-feed.exchange.coinbase.com", "Products": [ "BTC-USD", "ETH-USD:2" ], "Prefix": "CB:" }
/// ],
/// "Record": "feeds/today.csv.lz4"
/// </code>
/// Settings per entry (ms values are whole milliseconds): common <c>Kind</c>, <c>Name</c>, <c>Prefix</c>,
/// <c>StaleAfterMs</c>, <c>Overflow</c> (<c>wait</c> | <c>dropOldest</c>), <c>ChannelCapacity</c>,
/// <c>RestartInitialMs</c>, <c>RestartMaxMs</c>; synthetic <c>Symbols</c>, <c>Seed</c>, <c>Rate</c>; replay
/// <c>Path</c>, <c>Speed</c> (number or <c>max</c>), <c>Loop</c>, <c>StartDelayMs</c>; exchange <c>Url</c>, <c>Products</c> (list, or one
/// comma-separated string; <c>ID:DECIMALS</c> sets the price decimals), <c>Level2Channel</c>, <c>SizeDecimals</c>,
/// <c>SilenceTimeoutMs</c>, <c>ReconnectInitialMs</c>, <c>ReconnectMaxMs</c>. An unknown setting is an error (a typo
/// would otherwise be silently ignored).
/// </summary>
public sealed class FeedConfiguration
{
    public const string SectionName = "Feeds";

    public const string RecordKey = "Record";

    private static readonly SearchValues<char> s_badPrefix = SearchValues.Create(" ,\t\r\n\"");
    private static readonly SearchValues<char> s_badProduct = SearchValues.Create(" \"\\,");

    private static readonly string[] s_common = ["Kind", "Name", "Prefix", "StaleAfterMs", "Overflow", "ChannelCapacity", "RestartInitialMs", "RestartMaxMs"];
    private static readonly string[] s_synthetic = ["Symbols", "Seed", "Rate"];
    private static readonly string[] s_replay = ["Path", "Speed", "Loop", "StartDelayMs"];
    private static readonly string[] s_exchange = ["Url", "Products", "Level2Channel", "SizeDecimals", "SilenceTimeoutMs", "ReconnectInitialMs", "ReconnectMaxMs"];

    private FeedConfiguration(IReadOnlyList<FeedSettings> feeds, string? recordPath)
    {
        Feeds = feeds;
        RecordPath = recordPath;
    }

    public IReadOnlyList<FeedSettings> Feeds { get; }

    /// <summary>Where to record everything the feeds produce (<c>--record</c> or the <c>Record</c> key), or null.</summary>
    public string? RecordPath { get; }

    /// <summary>
    /// Validates a list of feeds (from flags, or built by hand): names are made unique (kind, kind-2, …) where not
    /// given, and each entry is checked as <see cref="Read"/> checks one. Throws <see cref="FeedConfigurationException"/>.
    /// </summary>
    public static FeedConfiguration Create(IReadOnlyList<FeedSettings> feeds, string? recordPath = null)
    {
        ArgumentNullException.ThrowIfNull(feeds);
        var named = new List<FeedSettings>(feeds.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (FeedSettings feed in feeds)
        {
            string name = feed.Name;
            if (name.Length == 0)
            {
                string kind = KindName(feed.Kind);
                name = kind;
                for (int n = 2; names.Contains(name); n++)
                {
                    name = $"{kind}-{n.ToString(CultureInfo.InvariantCulture)}";
                }
            }
            else if (names.Contains(name))
            {
                throw new FeedConfigurationException(feed.Key + (feed.Key.StartsWith("--", StringComparison.Ordinal) ? "" : ":Name"), $"feed name '{name}' is used twice");
            }

            names.Add(name);
            FeedSettings checkedFeed = feed with { Name = name };
            Check(checkedFeed);
            named.Add(checkedFeed);
        }

        if (recordPath is not null && string.IsNullOrWhiteSpace(recordPath))
        {
            throw new FeedConfigurationException("--record", "needs a file path");
        }

        return new FeedConfiguration(named, recordPath);
    }

    /// <summary>
    /// Reads the <c>Feeds</c> section (a list of entries) and the optional <c>Record</c> key. No section: no feeds
    /// (the caller picks its default). Throws <see cref="FeedConfigurationException"/> naming the first bad key.
    /// </summary>
    public static FeedConfiguration Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection(SectionName);
        var feeds = new List<FeedSettings>();
        if (section.Value is not null)
        {
            throw new FeedConfigurationException(SectionName, "expected a list of feed entries, not a single value");
        }

        var entries = section.GetChildren().ToList();
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key != i.ToString(CultureInfo.InvariantCulture))
            {
                throw new FeedConfigurationException(entries[i].Path, "expected a list of feed entries (Feeds:0, Feeds:1, …)");
            }

            feeds.Add(ReadEntry(entries[i]));
        }

        return Create(feeds, configuration[RecordKey]);
    }

    /// <summary>
    /// Parses one <c>--feed</c> value: <c>synthetic</c>, <c>replay:PATH</c> or <c>exchange:URL?products=A,B</c>
    /// (alias <c>coinbase:</c>). Settings not in the value (speed, loop, seed…) keep their defaults; the caller sets them
    /// from the other flags with <c>with</c>.
    /// </summary>
    public static FeedSettings ParseFeedFlag(string value, string flag = "--feed")
    {
        ArgumentNullException.ThrowIfNull(value);
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        string kindText = colon < 0 ? value : value[..colon];
        string argument = colon < 0 ? "" : value[(colon + 1)..];
        FeedKind kind = ParseKind(kindText, flag);
        switch (kind)
        {
            case FeedKind.Synthetic:
                if (argument.Length > 0)
                {
                    throw new FeedConfigurationException(flag, "synthetic takes no argument (use --symbols, --rate, --seed)");
                }

                return new FeedSettings { Key = flag, Kind = kind };

            case FeedKind.Replay:
                if (argument.Length == 0)
                {
                    throw new FeedConfigurationException(flag, "replay needs a capture file: --feed replay:PATH");
                }

                return new FeedSettings { Key = flag, Kind = kind, Path = argument };

            default:
                int query = argument.IndexOf("?products=", StringComparison.Ordinal);
                if (query < 0)
                {
                    throw new FeedConfigurationException(flag, "exchange needs a URL and products: --feed exchange:wss://host/path?products=BTC-USD,ETH-USD");
                }

                return new FeedSettings
                {
                    Key = flag,
                    Kind = kind,
                    Prefix = "CB:",
                    Overflow = FeedOverflowMode.DropOldest,
                    Url = ParseUrl(argument[..query], flag),
                    Products = ParseProducts(argument[(query + "?products=".Length)..].Split(',', StringSplitOptions.TrimEntries), flag),
                };
        }
    }

    /// <summary>The name a kind is written with in configuration.</summary>
    public static string KindName(FeedKind kind) => kind switch
    {
        FeedKind.Replay => "replay",
        FeedKind.Exchange => "exchange",
        _ => "synthetic",
    };

    private static FeedKind ParseKind(string text, string key) => text.ToLowerInvariant() switch
    {
        "synthetic" => FeedKind.Synthetic,
        "replay" => FeedKind.Replay,
        "exchange" or "coinbase" => FeedKind.Exchange,
        "" => throw new FeedConfigurationException(key, "missing: synthetic, replay or exchange"),
        _ => throw new FeedConfigurationException(key, $"unknown feed kind '{text}' (synthetic, replay or exchange)"),
    };

    private static FeedSettings ReadEntry(IConfigurationSection entry)
    {
        string path = entry.Path;
        string? kindText = entry["Kind"];
        if (kindText is null)
        {
            throw new FeedConfigurationException(path + ":Kind", "missing: synthetic, replay or exchange");
        }

        FeedKind kind = ParseKind(kindText, path + ":Kind");
        string[] known = [.. s_common, .. kind switch { FeedKind.Replay => s_replay, FeedKind.Exchange => s_exchange, _ => s_synthetic }];
        foreach (IConfigurationSection setting in entry.GetChildren())
        {
            if (!known.Contains(setting.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new FeedConfigurationException(setting.Path, $"unknown setting for a {KindName(kind)} feed (known: {string.Join(", ", known)})");
            }
        }

        var defaults = new FeedSettings();
        var settings = new FeedSettings
        {
            Key = path,
            Kind = kind,
            Name = Text(entry, "Name") ?? "",
            Prefix = Text(entry, "Prefix") ?? (kind == FeedKind.Exchange ? "CB:" : ""),
            StaleAfter = Millis(entry, "StaleAfterMs", defaults.StaleAfter),
            Overflow = Text(entry, "Overflow") is { } overflow
                ? overflow.ToLowerInvariant() switch
                {
                    "wait" => FeedOverflowMode.Wait,
                    "dropoldest" => FeedOverflowMode.DropOldest,
                    _ => throw new FeedConfigurationException(path + ":Overflow", $"'{overflow}' is not wait or dropOldest"),
                }
                : kind == FeedKind.Exchange ? FeedOverflowMode.DropOldest : FeedOverflowMode.Wait,
            ChannelCapacity = Integer(entry, "ChannelCapacity", defaults.ChannelCapacity, 16, 1 << 26),
            RestartInitialDelay = Millis(entry, "RestartInitialMs", defaults.RestartInitialDelay),
            RestartMaxDelay = Millis(entry, "RestartMaxMs", defaults.RestartMaxDelay),
            Symbols = Integer(entry, "Symbols", 0, 0, 1_000_000),
            Seed = Long(entry, "Seed", defaults.Seed),
            Rate = Number(entry, "Rate", defaults.Rate),
            Path = Text(entry, "Path"),
            Speed = Text(entry, "Speed") is { } speed ? ParseSpeed(speed, path + ":Speed") : 1,
            Loop = Boolean(entry, "Loop"),
            StartDelay = entry["StartDelayMs"] is null ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Integer(entry, "StartDelayMs", 0, 0, 24 * 60 * 60 * 1000)),
            Url = Text(entry, "Url") is { } url ? ParseUrl(url, path + ":Url") : null,
            Products = ReadProducts(entry),
            Level2Channel = Text(entry, "Level2Channel") ?? defaults.Level2Channel,
            SizeDecimals = Integer(entry, "SizeDecimals", defaults.SizeDecimals, 0, Instrument.MaxDecimals),
            SilenceTimeout = Millis(entry, "SilenceTimeoutMs", defaults.SilenceTimeout),
            ReconnectInitialDelay = Millis(entry, "ReconnectInitialMs", defaults.ReconnectInitialDelay),
            ReconnectMaxDelay = Millis(entry, "ReconnectMaxMs", defaults.ReconnectMaxDelay),
        };

        return settings;
    }

    /// <summary>The checks that do not depend on where the entry came from.</summary>
    private static void Check(FeedSettings feed)
    {
        string key = feed.Key;
        bool flag = key.StartsWith("--", StringComparison.Ordinal);
        string Sub(string name) => flag ? key : key + ":" + name;

        if (feed.Prefix.AsSpan().IndexOfAny(s_badPrefix) >= 0)
        {
            throw new FeedConfigurationException(Sub("Prefix"), $"'{feed.Prefix}' must not contain spaces, commas or quotes");
        }

        if (feed.RestartMaxDelay < feed.RestartInitialDelay)
        {
            throw new FeedConfigurationException(Sub("RestartMaxMs"), "must not be below RestartInitialMs");
        }

        switch (feed.Kind)
        {
            case FeedKind.Synthetic:
                if (feed.Rate < 0 || !double.IsFinite(feed.Rate))
                {
                    throw new FeedConfigurationException(flag ? "--rate" : key + ":Rate", "must be a number of quotes per second, 0 or more");
                }

                break;

            case FeedKind.Replay:
                if (string.IsNullOrWhiteSpace(feed.Path))
                {
                    throw new FeedConfigurationException(Sub("Path"), "a replay feed needs the capture file's path");
                }

                if (!File.Exists(feed.Path))
                {
                    throw new FeedConfigurationException(Sub("Path"), $"no such capture file '{feed.Path}'");
                }

                if (!(feed.Speed > 0))
                {
                    throw new FeedConfigurationException(flag ? "--speed" : key + ":Speed", "must be above 0 (or max)");
                }

                break;

            case FeedKind.Exchange:
                if (feed.Url is null)
                {
                    throw new FeedConfigurationException(Sub("Url"), "an exchange feed needs the venue's ws:// or wss:// URL");
                }

                if (feed.Products.Count == 0)
                {
                    throw new FeedConfigurationException(Sub("Products"), "an exchange feed needs at least one product id");
                }

                if (string.IsNullOrWhiteSpace(feed.Level2Channel))
                {
                    throw new FeedConfigurationException(Sub("Level2Channel"), "must name the venue's L2 channel (level2 or level2_batch)");
                }

                if (feed.ReconnectMaxDelay < feed.ReconnectInitialDelay)
                {
                    throw new FeedConfigurationException(Sub("ReconnectMaxMs"), "must not be below ReconnectInitialMs");
                }

                break;
        }
    }

    private static IReadOnlyList<ProductSetting> ReadProducts(IConfigurationSection entry)
    {
        IConfigurationSection products = entry.GetSection("Products");
        if (products.Value is not null)
        {
            return ParseProducts(products.Value.Split(',', StringSplitOptions.TrimEntries), products.Path);
        }

        var list = new List<ProductSetting>();
        foreach (IConfigurationSection product in products.GetChildren())
        {
            list.AddRange(ParseProducts([product.Value ?? ""], product.Path));
        }

        return list;
    }

    private static List<ProductSetting> ParseProducts(string[] entries, string key)
    {
        InstrumentCatalog? builtIn = null;
        var products = new List<ProductSetting>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string entry in entries)
        {
            if (entry.Length == 0)
            {
                continue;
            }

            int colon = entry.LastIndexOf(':');
            string id = colon < 0 ? entry : entry[..colon];
            int decimals;
            if (colon >= 0)
            {
                if (!int.TryParse(entry[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out decimals) || decimals > Instrument.MaxDecimals)
                {
                    throw new FeedConfigurationException(key, $"'{entry}': the price decimals after ':' must be 0..{Instrument.MaxDecimals}");
                }
            }
            else
            {
                builtIn ??= InstrumentCatalog.CreateDefault();
                decimals = builtIn.TryGet(id, out Instrument? known) ? known.Decimals : 2;
            }

            if (id.Length == 0 || id.AsSpan().IndexOfAny(s_badProduct) >= 0)
            {
                throw new FeedConfigurationException(key, $"'{entry}' is not a product id");
            }

            if (!seen.Add(id))
            {
                throw new FeedConfigurationException(key, $"product '{id}' is listed twice");
            }

            products.Add(new ProductSetting(id, decimals));
        }

        return products;
    }

    private static Uri ParseUrl(string text, string key)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || (url.Scheme != "ws" && url.Scheme != "wss"))
        {
            throw new FeedConfigurationException(key, $"'{text}' is not a ws:// or wss:// URL");
        }

        return url;
    }

    private static double ParseSpeed(string text, string key)
    {
        try
        {
            return ReplayFeedOptions.ParseSpeed(text);
        }
        catch (FormatException ex)
        {
            throw new FeedConfigurationException(key, ex.Message);
        }
    }

    private static string? Text(IConfigurationSection entry, string key) => entry[key];

    private static int Integer(IConfigurationSection entry, string key, int fallback, int min, int max)
    {
        string? text = entry[key];
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new FeedConfigurationException($"{entry.Path}:{key}", $"'{text}' is not a whole number from {min} to {max}");
        }

        return value;
    }

    private static long Long(IConfigurationSection entry, string key, long fallback)
    {
        string? text = entry[key];
        if (text is null)
        {
            return fallback;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new FeedConfigurationException($"{entry.Path}:{key}", $"'{text}' is not a whole number");
    }

    private static double Number(IConfigurationSection entry, string key, double fallback)
    {
        string? text = entry[key];
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new FeedConfigurationException($"{entry.Path}:{key}", $"'{text}' is not a number");
    }

    private static bool Boolean(IConfigurationSection entry, string key)
    {
        string? text = entry[key];
        if (text is null)
        {
            return false;
        }

        return bool.TryParse(text, out bool value) ? value : throw new FeedConfigurationException($"{entry.Path}:{key}", $"'{text}' is not true or false");
    }

    private static TimeSpan Millis(IConfigurationSection entry, string key, TimeSpan fallback) =>
        entry[key] is null ? fallback : TimeSpan.FromMilliseconds(Integer(entry, key, 0, 1, 24 * 60 * 60 * 1000));
}
