using System.Threading.Channels;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;

namespace MarketPush.Feeds.Exchange.Tests;

/// <summary>
/// Runs an <see cref="ExchangeFeed"/> into a channel and plays its ticks the way ingest would: every tick is kept in
/// order, and book levels are applied to a 50-level <see cref="OrderBook"/> per instrument (the server's book).
/// </summary>
internal sealed class FeedRun : IAsyncDisposable
{
    private readonly Channel<Tick> _channel = Channel.CreateUnbounded<Tick>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Tick> _ticks = [];
    private readonly Dictionary<int, OrderBook> _books = [];
    private readonly Task _feed;
    private readonly Task _reader;

    public FeedRun(ExchangeFeed feed, InstrumentCatalog catalog)
    {
        Feed = feed;
        Catalog = catalog;
        _feed = Task.Run(() => feed.RunAsync(_channel.Writer, _stop.Token));
        _reader = Task.Run(ReadAsync);
    }

    public ExchangeFeed Feed { get; }

    public InstrumentCatalog Catalog { get; }

    public List<Tick> Ticks
    {
        get
        {
            lock (_ticks)
            {
                return [.. _ticks];
            }
        }
    }

    /// <summary>The server-side book of an instrument: best first.</summary>
    public (BookLevel[] Bids, BookLevel[] Asks) Book(int instrumentId)
    {
        lock (_ticks)
        {
            OrderBook book = _books.TryGetValue(instrumentId, out OrderBook? b) ? b : new OrderBook(Catalog[instrumentId].Decimals);
            return (book.Bids.ToArray(), book.Asks.ToArray());
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds over the ticks so far (10 s at most).</summary>
    public async Task WaitForAsync(Func<List<Tick>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition(Ticks))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; {Ticks.Count} ticks so far, feed: {Feed.Connections} connections, {Feed.SequenceGaps} gaps, last disconnect '{Feed.LastDisconnectReason}'");
            await Task.Delay(5);
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _feed;
        _channel.Writer.TryComplete();
        await _reader;
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        await foreach (Tick tick in _channel.Reader.ReadAllAsync())
        {
            lock (_ticks)
            {
                _ticks.Add(tick);
                if (tick.Kind == TickKind.BookLevel)
                {
                    if (!_books.TryGetValue(tick.InstrumentId, out OrderBook? book))
                    {
                        _books[tick.InstrumentId] = book = new OrderBook(Catalog[tick.InstrumentId].Decimals);
                    }

                    book.Apply(tick.BookSide, tick.Level.Price, tick.Level.Size);
                }
            }
        }
    }
}
