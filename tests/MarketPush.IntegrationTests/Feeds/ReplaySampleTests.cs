using System.Globalization;
using System.Text.Json;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Feeds.Replay;
using MarketPush.Engine.Ingest;
using MarketPush.IntegrationTests.Pipeline;
using MarketPush.Protocol.Messages;

namespace MarketPush.IntegrationTests.Feeds;

/// <summary>
/// The shipped sample capture replayed by the real server at <c>--speed max</c> (<c>--feed replay:feeds/sample-3min.csv.lz4</c>)
/// to a subscriber of all 30 symbols and every channel: every quote and trade arrives, in file order, with
/// consecutive <c>seq</c>, and every book ends exactly as the recording's. The replay's end is visible too: the
/// supervisor announces each symbol <c>stale</c> once its feed has finished.
/// </summary>
public sealed class ReplaySampleTests
{
    internal static string SamplePath()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "MarketPush.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        Assert.NotNull(directory);
        return Path.Combine(directory, "feeds", "sample-3min.csv.lz4");
    }

    /// <summary>What the recording holds per symbol: its quotes and trades in order, and its final book.</summary>
    private static async Task<Dictionary<string, Expected>> ReadRecordingAsync(string path)
    {
        var expected = new Dictionary<string, Expected>(StringComparer.Ordinal);
        using CsvCaptureReader reader = CsvCaptureReader.Open(path);
        var batch = new Tick[4096];
        int n;
        while ((n = await reader.ReadAsync(batch)) > 0)
        {
            foreach (Tick tick in batch.AsSpan(0, n))
            {
                CaptureSymbol symbol = reader.Symbols[tick.InstrumentId];
                if (!expected.TryGetValue(symbol.Symbol, out Expected? e))
                {
                    expected[symbol.Symbol] = e = new Expected(symbol.Decimals);
                }

                switch (tick.Kind)
                {
                    case TickKind.Quote:
                        Quote q = tick.Quote;
                        e.Quotes.Add($"{e.Price(q.BidPrice)} {q.BidSize} {e.Price(q.AskPrice)} {q.AskSize}");
                        break;
                    case TickKind.Trade:
                        Trade t = tick.Trade;
                        e.Trades.Add($"{e.Price(t.Price)} {t.Size} {t.Side.ToString().ToLowerInvariant()}");
                        break;
                    case TickKind.BookLevel:
                        e.Book.Apply(tick.BookSide, tick.Level.Price, tick.Level.Size);
                        break;
                }
            }
        }

        return expected;
    }

    [Fact]
    public async Task MaxSpeedReplayOfTheSample_DeliversEveryEventToASubscriber_InOrder()
    {
        string path = SamplePath();
        Dictionary<string, Expected> recording = await ReadRecordingAsync(path);
        Assert.Equal(30, recording.Count);

        long started = MarketClient.NowMicros();
        await using ServerScope server = await ServerScope.StartAsync(options =>
        {
            options.Feed = "replay:" + path;
            options.ReplaySpeed = ReplayFeedOptions.MaxSpeed;
            options.ReplayStartDelayMs = 3_000;     // the subscriber is in before the first event
            options.QueueMaxFrames = 1_000_000;     // this subscriber wants every update: no conflation
            options.QueueMaxBytes = 512 * 1024 * 1024;
            options.SlowConsumerMs = 60_000;
        });

        // Leak accounting stays on; recording a stack trace per rented frame (a debugging aid, live in Debug builds)
        // for the replay's every event at max speed made this test miss its 30 s in CI's Debug leg.
        server.Host.FramePool.RecordRentStacks = false;
        await using MarketClient client = await MarketClient.ConnectAsync(server);
        await client.ReceiveTypeAsync("welcome", server.Token);
        string symbols = string.Join(',', recording.Keys.Select(static s => $"\"{s}\""));
        await client.SendAsync($$"""{"op":"subscribe","id":1,"symbols":[{{symbols}}],"channels":["quote","trade","book"],"depth":50}""", server.Token);
        Received subscribed = await client.ReceiveTypeAsync("subscribed", server.Token);
        Assert.Equal(30, subscribed.Message.GetProperty("symbols").GetArrayLength());

        // Everything up to the end of the replay: the supervisor announces each symbol stale after the last event.
        var quotes = recording.Keys.ToDictionary(static s => s, static _ => new List<string>(), StringComparer.Ordinal);
        var trades = recording.Keys.ToDictionary(static s => s, static _ => new List<string>(), StringComparer.Ordinal);
        var books = recording.Keys.ToDictionary(static s => s, static _ => new ClientBook(), StringComparer.Ordinal);
        var lastSeq = new Dictionary<(string, string), long>();
        var ended = new HashSet<string>(StringComparer.Ordinal);
        while (ended.Count < recording.Count)
        {
            Received received = await client.ReceiveAsync(server.Token) ?? throw new Xunit.Sdk.XunitException("the server closed the connection");
            JsonElement message = received.Message;
            string type = received.Type;
            if (type is "heartbeat")
            {
                continue;
            }

            string symbol = received.Symbol!;
            if (type == "status")
            {
                Assert.Equal("stale", message.GetProperty("state").GetString());
                ended.Add(symbol);
                continue;
            }

            Assert.DoesNotContain(symbol, ended); // nothing after the end
            long seq = message.GetProperty("seq").GetInt64();
            long previous = lastSeq.GetValueOrDefault((symbol, type));
            Assert.True(type == "book" ? seq > previous : seq == previous + 1, $"{symbol} {type}: seq {seq} after {previous}");
            lastSeq[(symbol, type)] = seq;
            Assert.True(message.GetProperty("ts").GetInt64() >= started, "ts is rebased to the replay's time");
            switch (type)
            {
                case "quote":
                    quotes[symbol].Add($"{Text(message, "bid")} {message.GetProperty("bidSize")} {Text(message, "ask")} {message.GetProperty("askSize")}");
                    break;
                case "trade":
                    trades[symbol].Add($"{Text(message, "price")} {message.GetProperty("size")} {message.GetProperty("side").GetString()}");
                    break;
                case "book":
                    books[symbol].Apply(message);
                    break;
            }
        }

        foreach ((string symbol, Expected expected) in recording)
        {
            Assert.True(expected.Quotes.SequenceEqual(quotes[symbol]), $"{symbol}: {quotes[symbol].Count} of {expected.Quotes.Count} quotes, or not in order");
            Assert.True(expected.Trades.SequenceEqual(trades[symbol]), $"{symbol}: {trades[symbol].Count} of {expected.Trades.Count} trades, or not in order");
            Assert.Equal(expected.Book.Bids.ToArray().Select(expected.Level), books[symbol].Bids);
            Assert.Equal(expected.Book.Asks.ToArray().Select(expected.Level), books[symbol].Asks);
        }

        Assert.Equal(SupervisedFeedState.Completed, server.Host.Feeds!.Supervisor.Feeds[0].State);
    }

    /// <summary>A JSON price as the decimal text the recording holds (the writer trims zeros; compare values).</summary>
    private static string Text(JsonElement message, string name) => message.GetProperty(name).GetDecimal().ToString(CultureInfo.InvariantCulture);

    private sealed class Expected(int decimals)
    {
        public List<string> Quotes { get; } = [];

        public List<string> Trades { get; } = [];

        public OrderBook Book { get; } = new(decimals);

        public string Price(long scaled) => (scaled / (decimal)Math.Pow(10, decimals)).ToString(CultureInfo.InvariantCulture);

        public string Level(BookLevel level) => $"{Price(level.Price)}:{level.Size}";
    }

    /// <summary>A client's book as PROTOCOL.md says to keep it: snapshot replaces, size 0 removes, else sets.</summary>
    private sealed class ClientBook
    {
        private readonly SortedDictionary<decimal, long> _bids = new(Comparer<decimal>.Create(static (a, b) => b.CompareTo(a)));
        private readonly SortedDictionary<decimal, long> _asks = [];

        public IEnumerable<string> Bids => _bids.Select(static l => $"{l.Key.ToString(CultureInfo.InvariantCulture)}:{l.Value}");

        public IEnumerable<string> Asks => _asks.Select(static l => $"{l.Key.ToString(CultureInfo.InvariantCulture)}:{l.Value}");

        public void Apply(JsonElement book)
        {
            if (book.TryGetProperty("snapshot", out JsonElement snapshot) && snapshot.GetBoolean())
            {
                _bids.Clear();
                _asks.Clear();
            }

            Apply(_bids, book.GetProperty("bids"));
            Apply(_asks, book.GetProperty("asks"));
        }

        private static void Apply(SortedDictionary<decimal, long> side, JsonElement levels)
        {
            foreach (JsonElement level in levels.EnumerateArray())
            {
                decimal price = level[0].GetDecimal();
                long size = level[1].GetInt64();
                if (size == 0)
                {
                    side.Remove(price);
                }
                else
                {
                    side[price] = size;
                }
            }
        }
    }
}
