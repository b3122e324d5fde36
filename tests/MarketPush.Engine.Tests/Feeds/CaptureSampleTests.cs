using System.IO.Compression;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary>
/// The shipped sample capture, <c>feeds/sample-3min.csv.lz4</c>: three minutes of 30 instruments of the built-in list
/// (equities and crypto pairs at their own precision) recorded from the synthetic feed, with Poisson-spaced event
/// times. This class is also its generator: the tests regenerate it and require the shipped file to hold exactly that
/// text. To rewrite the file after changing the generator or the synthetic feed, run
/// <c>MARKETPUSH_WRITE_SAMPLE=1 dotnet test tests/MarketPush.Engine.Tests --filter CaptureSampleTests</c>.
/// </summary>
public class CaptureSampleTests
{
    private const int Timeout = 120_000;
    private const string SampleName = "sample-3min.csv.lz4";

    /// <summary>What a market-data UI would show first: large caps and the main crypto pairs.</summary>
    private static readonly string[] s_symbols =
    [
        "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "BRK.B", "AVGO", "LLY", "JPM", "V", "UNH", "XOM", "MA",
        "JNJ", "COST", "NFLX", "AMD", "BAC", "KO", "DIS", "INTC", "PLTR",
        "BTC-USD", "ETH-USD", "SOL-USD", "DOGE-USD", "XRP-USD", "SHIB-USD",
    ];

    private static readonly DateTimeOffset s_start = new(2025, 11, 21, 14, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_length = TimeSpan.FromMinutes(3);

    /// <summary>Quote events per second over all 30 symbols (trades and book updates come on top).</summary>
    private const double EventsPerSecond = 250;

    /// <summary>The sample's instruments: the chosen symbols of the built-in list, ids 0..29, with their reference prices.</summary>
    private static InstrumentCatalog SampleCatalog()
    {
        InstrumentCatalog builtIn = InstrumentCatalog.CreateDefault();
        var instruments = new List<Instrument>();
        var prices = new List<long>();
        foreach (string symbol in s_symbols)
        {
            Assert.True(builtIn.TryGet(symbol, out Instrument? known), $"{symbol} is not in the built-in list");
            instruments.Add(new Instrument(instruments.Count, known.Symbol, known.Decimals, known.TickSize, known.Description));
            prices.Add(builtIn.GetReferencePrice(known.Id));
        }

        return new InstrumentCatalog(instruments, prices);
    }

    /// <summary>Writes the sample: each book and quote first, then three minutes of events at Poisson-spaced times. Deterministic.</summary>
    private static void Generate(Stream output)
    {
        InstrumentCatalog catalog = SampleCatalog();
        var feed = new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = 20251121 });
        var random = new Random(20251121);
        var ticks = new Tick[Math.Max(SyntheticFeed.MaxTicksPerEvent, SyntheticFeed.MaxSnapshotTicks)];
        long time = (s_start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        long end = time + (s_length.Ticks / TimeSpan.TicksPerMicrosecond);
        using var writer = new CsvCaptureWriter(output, catalog.Instruments, leaveOpen: true);
        for (int id = 0; id < catalog.Count; id++)
        {
            int n = feed.WriteSnapshot(id, ticks, time);
            for (int i = 0; i < n; i++)
            {
                writer.Write(catalog[ticks[i].InstrumentId], ticks[i]);
            }
        }

        while (true)
        {
            time += Math.Max(1, (long)(-Math.Log(1 - random.NextDouble()) * 1_000_000 / EventsPerSecond));
            if (time > end)
            {
                break;
            }

            int n = feed.WriteNextEvent(ticks, time);
            for (int i = 0; i < n; i++)
            {
                writer.Write(catalog[ticks[i].InstrumentId], ticks[i]);
            }
        }
    }

    private static string SamplePath()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "MarketPush.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        Assert.NotNull(directory);
        return Path.Combine(directory, "feeds", SampleName);
    }

    private static byte[] Decompress(string path)
    {
        using var lz4 = new Lz4FrameStream(File.OpenRead(path), CompressionMode.Decompress);
        var text = new MemoryStream();
        lz4.CopyTo(text);
        return text.ToArray();
    }

    [Fact(Timeout = Timeout)]
    public async Task ShippedSample_IsExactlyWhatTheGeneratorRecords()
    {
        string path = SamplePath();
        if (Environment.GetEnvironmentVariable("MARKETPUSH_WRITE_SAMPLE") == "1")
        {
            using var file = new Lz4FrameStream(File.Create(path), CompressionMode.Compress, leaveOpen: false, compressionLevel: 9);
            Generate(file);
        }

        var expected = new MemoryStream();
        Generate(expected);

        Assert.True(File.Exists(path), $"{path} is missing: set MARKETPUSH_WRITE_SAMPLE=1 to generate it");
        byte[] shipped = await Task.Run(() => Decompress(path));
        Assert.True(expected.ToArray().AsSpan().SequenceEqual(shipped), "feeds/sample-3min.csv.lz4 differs from what the generator records now");
    }

    [Fact(Timeout = Timeout)]
    public async Task ShippedSample_IsThreeMinutesOf30SymbolsWithQuotesTradesAndBooks_UnderFiveMegabytes()
    {
        string path = SamplePath();
        Assert.InRange(new FileInfo(path).Length, 100_000, 5_000_000);

        using CsvCaptureReader reader = CsvCaptureReader.Open(path);
        var buffer = new Tick[8192];
        var kinds = new Dictionary<TickKind, int>();
        var symbols = new HashSet<int>();
        long first = long.MaxValue, last = long.MinValue;
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            foreach (Tick tick in buffer.AsSpan(0, n))
            {
                kinds[tick.Kind] = kinds.GetValueOrDefault(tick.Kind) + 1;
                symbols.Add(tick.InstrumentId);
                first = Math.Min(first, tick.Timestamp);
                last = Math.Max(last, tick.Timestamp);
            }
        }

        Assert.Equal(30, reader.Symbols.Count);
        Assert.All(reader.Symbols, static s => Assert.True(s.Declared));
        Assert.Equal(8, reader.Symbols.Single(static s => s.Symbol == "SHIB-USD").Decimals);
        Assert.Equal(30, symbols.Count);
        Assert.InRange(TimeSpan.FromTicks((last - first) * TimeSpan.TicksPerMicrosecond), TimeSpan.FromSeconds(175), TimeSpan.FromSeconds(180));
        Assert.True(kinds[TickKind.Quote] > 30_000, $"{kinds[TickKind.Quote]} quotes");
        Assert.True(kinds[TickKind.Trade] > 5_000, $"{kinds[TickKind.Trade]} trades");
        Assert.True(kinds[TickKind.BookLevel] > 30_000, $"{kinds[TickKind.BookLevel]} book levels");
    }
}
