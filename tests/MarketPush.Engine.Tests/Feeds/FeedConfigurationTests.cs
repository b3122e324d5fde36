using System.Text;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Feeds.Replay;
using Microsoft.Extensions.Configuration;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary>Feeds from appsettings.json and <c>--feed</c>: what a good file gives, and that a bad entry is refused with its key named.</summary>
public class FeedConfigurationTests
{
    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Fact]
    public void Read_TakesSeveralFeedsWithTheirNamespacesAndSettings()
    {
        using var dir = new CaptureTools.TempDirectory();
        string capture = dir.File("day.csv");
        File.WriteAllText(capture, "# marketpush-capture v1\ntime_us,symbol,kind,f1,f2,f3,f4\n");
        string json = $$"""
            {
              "Feeds": [
                { "Kind": "synthetic", "Symbols": 100, "Rate": 500, "Seed": 7 },
                { "Kind": "replay", "Name": "yesterday", "Prefix": "R:", "Path": "{{capture.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "Speed": "max", "Loop": true, "StaleAfterMs": 60000, "StartDelayMs": 1500 },
                { "Kind": "coinbase", "Url": "wss://ws-feed.exchange.coinbase.com", "Products": [ "BTC-USD", "DOGE-USD", "XYZ-USD:3" ], "SilenceTimeoutMs": 5000 }
              ],
              "Record": "feeds/today.csv.lz4"
            }
            """;

        FeedConfiguration configuration = FeedConfiguration.Read(Json(json));

        Assert.Equal("feeds/today.csv.lz4", configuration.RecordPath);
        Assert.Equal(["synthetic", "yesterday", "exchange"], configuration.Feeds.Select(static f => f.Name));
        FeedSettings synthetic = configuration.Feeds[0];
        Assert.Equal((FeedKind.Synthetic, "", 100, 500.0, 7L, FeedOverflowMode.Wait), (synthetic.Kind, synthetic.Prefix, synthetic.Symbols, synthetic.Rate, synthetic.Seed, synthetic.Overflow));
        FeedSettings replay = configuration.Feeds[1];
        Assert.Equal((FeedKind.Replay, "R:", capture, ReplayFeedOptions.MaxSpeed, true, TimeSpan.FromMinutes(1)), (replay.Kind, replay.Prefix, replay.Path, replay.Speed, replay.Loop, replay.StaleAfter));
        Assert.Equal(TimeSpan.FromSeconds(1.5), replay.StartDelay);
        FeedSettings exchange = configuration.Feeds[2];
        Assert.Equal(FeedKind.Exchange, exchange.Kind);
        Assert.Equal("CB:", exchange.Prefix);
        Assert.Equal(FeedOverflowMode.DropOldest, exchange.Overflow); // a live connection never waits for ingest
        Assert.Equal(new Uri("wss://ws-feed.exchange.coinbase.com"), exchange.Url);
        Assert.Equal([new ProductSetting("BTC-USD", 2), new ProductSetting("DOGE-USD", 5), new ProductSetting("XYZ-USD", 3)], exchange.Products);
        Assert.Equal(TimeSpan.FromSeconds(5), exchange.SilenceTimeout);
    }

    [Fact]
    public void Read_WithoutAFeedsSection_GivesNoFeeds() => Assert.Empty(FeedConfiguration.Read(Json("{}")).Feeds);

    [Theory]
    [InlineData("""{ "Feeds": [ { "Kind": "synthetic" }, { "Kind": "foo" } ] }""", "Feeds:1:Kind: unknown feed kind 'foo' (synthetic, replay or exchange)")]
    [InlineData("""{ "Feeds": [ { "Name": "x" } ] }""", "Feeds:0:Kind: missing: synthetic, replay or exchange")]
    [InlineData("""{ "Feeds": [ { "Kind": "replay" } ] }""", "Feeds:0:Path: a replay feed needs the capture file's path")]
    [InlineData("""{ "Feeds": [ { "Kind": "replay", "Path": "/nonexistent/day.csv" } ] }""", "Feeds:0:Path: no such capture file '/nonexistent/day.csv'")]
    [InlineData("""{ "Feeds": [ { "Kind": "replay", "Path": "x", "Speed": "fast" } ] }""", "Feeds:0:Speed: 'fast' is not a replay speed (a number above 0 such as 1 or 10, or max)")]
    [InlineData("""{ "Feeds": [ { "Kind": "replay", "Path": "x", "Sped": "10" } ] }""", "Feeds:0:Sped: unknown setting for a replay feed (known: Kind, Name, Prefix, StaleAfterMs, Overflow, ChannelCapacity, RestartInitialMs, RestartMaxMs, Path, Speed, Loop, StartDelayMs)")]
    [InlineData("""{ "Feeds": [ { "Kind": "replay", "Path": "x", "Loop": "often" } ] }""", "Feeds:0:Loop: 'often' is not true or false")]
    [InlineData("""{ "Feeds": [ { "Kind": "synthetic", "Rate": "fast" } ] }""", "Feeds:0:Rate: 'fast' is not a number")]
    [InlineData("""{ "Feeds": [ { "Kind": "synthetic", "Rate": "-5" } ] }""", "Feeds:0:Rate: must be a number of quotes per second, 0 or more")]
    [InlineData("""{ "Feeds": [ { "Kind": "synthetic", "StaleAfterMs": "0" } ] }""", "Feeds:0:StaleAfterMs: '0' is not a whole number from 1 to 86400000")]
    [InlineData("""{ "Feeds": [ { "Kind": "synthetic", "Overflow": "spill" } ] }""", "Feeds:0:Overflow: 'spill' is not wait or dropOldest")]
    [InlineData("""{ "Feeds": [ { "Kind": "synthetic", "Name": "a" }, { "Kind": "synthetic", "Name": "a" } ] }""", "Feeds:1:Name: feed name 'a' is used twice")]
    [InlineData("""{ "Feeds": [ { "Kind": "exchange", "Url": "http://venue", "Products": "BTC-USD" } ] }""", "Feeds:0:Url: 'http://venue' is not a ws:// or wss:// URL")]
    [InlineData("""{ "Feeds": [ { "Kind": "exchange", "Url": "wss://venue" } ] }""", "Feeds:0:Products: an exchange feed needs at least one product id")]
    [InlineData("""{ "Feeds": [ { "Kind": "exchange", "Url": "wss://venue", "Products": [ "BTC-USD", "ETH-USD:x" ] } ] }""", "Feeds:0:Products:1: 'ETH-USD:x': the price decimals after ':' must be 0..18")]
    [InlineData("""{ "Feeds": [ { "Kind": "exchange", "Url": "wss://venue", "Products": "BTC-USD,BTC-USD" } ] }""", "Feeds:0:Products: product 'BTC-USD' is listed twice")]
    [InlineData("""{ "Feeds": [ { "Kind": "exchange", "Url": "wss://venue", "Products": "BTC-USD", "Prefix": "C B:" } ] }""", "Feeds:0:Prefix: 'C B:' must not contain spaces, commas or quotes")]
    [InlineData("""{ "Feeds": "synthetic" }""", "Feeds: expected a list of feed entries, not a single value")]
    public void Read_RefusesABadEntry_NamingItsKey(string json, string message) =>
        Assert.Equal(message, Assert.Throws<FeedConfigurationException>(() => FeedConfiguration.Read(Json(json))).Message);

    [Fact]
    public void ParseFeedFlag_ReadsEachKind()
    {
        FeedSettings replay = FeedConfiguration.ParseFeedFlag("replay:feeds/sample-3min.csv.lz4");
        Assert.Equal((FeedKind.Replay, "feeds/sample-3min.csv.lz4"), (replay.Kind, replay.Path));

        Assert.Equal(FeedKind.Synthetic, FeedConfiguration.ParseFeedFlag("synthetic").Kind);

        FeedSettings exchange = FeedConfiguration.ParseFeedFlag("coinbase:wss://127.0.0.1:9000/ws?products=BTC-USD,ETH-USD:3");
        Assert.Equal(new Uri("wss://127.0.0.1:9000/ws"), exchange.Url);
        Assert.Equal([new ProductSetting("BTC-USD", 2), new ProductSetting("ETH-USD", 3)], exchange.Products);
        Assert.Equal("CB:", exchange.Prefix);
    }

    [Theory]
    [InlineData("foo:bar", "--feed: unknown feed kind 'foo' (synthetic, replay or exchange)")]
    [InlineData("replay", "--feed: replay needs a capture file: --feed replay:PATH")]
    [InlineData("synthetic:100", "--feed: synthetic takes no argument (use --symbols, --rate, --seed)")]
    [InlineData("exchange:wss://venue", "--feed: exchange needs a URL and products: --feed exchange:wss://host/path?products=BTC-USD,ETH-USD")]
    public void ParseFeedFlag_RefusesABadValue_NamingTheFlag(string value, string message) =>
        Assert.Equal(message, Assert.Throws<FeedConfigurationException>(() => FeedConfiguration.ParseFeedFlag(value)).Message);

    [Theory]
    [InlineData(1_000, 1.0, 3_000)]   // 1,000 symbols at 1 quote/s: a symbol updates every 1,000 s
    [InlineData(20, 5_000.0, 15)]      // busy: the configured 15 s
    [InlineData(20, 0.0, 15)]          // unpaced
    public void SyntheticFeeds_AreStaleOnlyAfterThreeRoundsOfTheirSymbols(int symbols, double rate, int expectedSeconds)
    {
        var settings = new FeedSettings { Kind = FeedKind.Synthetic, Symbols = symbols, Rate = rate };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), settings.ToSupervisedOptions([.. Enumerable.Range(0, symbols)]).StaleAfter);
    }

    [Fact]
    public void Create_NamesFeedsAfterTheirKind_AndChecksFlagsToo()
    {
        FeedConfiguration configuration = FeedConfiguration.Create([FeedConfiguration.ParseFeedFlag("synthetic"), FeedConfiguration.ParseFeedFlag("synthetic") with { Prefix = "B:" }]);
        Assert.Equal(["synthetic", "synthetic-2"], configuration.Feeds.Select(static f => f.Name));

        FeedConfigurationException error = Assert.Throws<FeedConfigurationException>(() => FeedConfiguration.Create([FeedConfiguration.ParseFeedFlag("replay:/nonexistent.csv.lz4")]));
        Assert.Equal("--feed: no such capture file '/nonexistent.csv.lz4'", error.Message);
    }
}
