using System.Threading.Channels;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// The ingest stage for one feed: the single reader of that feed's <see cref="IngestChannel"/>. For each tick it
/// assigns <c>seq</c> (per instrument and channel), stores the value in the <see cref="LastValueCache"/>, then
/// hands the sequenced update to the <see cref="ITickSink"/> (the router). Book level ticks are collected until
/// the tick that ends the update, then applied in one step and published once with their per-tier deltas.
/// Several feeds: one pipeline per feed channel, sharing the cache and the <see cref="SequenceAssigner"/>
/// (instruments are disjoint between feeds). Threading: <see cref="RunAsync"/> (or direct <see cref="Process"/>
/// calls) from one thread at a time. Allocation: none per tick.
/// </summary>
public sealed class IngestPipeline
{
    /// <summary>A book update longer than this is published in parts (each part is still a consistent book).</summary>
    public const int MaxLevelsPerUpdate = 256;

    private readonly LastValueCache _cache;
    private readonly SequenceAssigner _sequences;
    private readonly ITickSink _sink;
    private readonly InstrumentCatalog _catalog;
    private readonly BookLevelChange[] _pending = new BookLevelChange[MaxLevelsPerUpdate];
    private readonly BookUpdate _update = new();
    private int _pendingCount;
    private int _pendingInstrument = -1;
    private long _pendingTimestamp;
    private long _processedTicks;
    private long _invalidTicks;

    public IngestPipeline(LastValueCache cache, SequenceAssigner sequences, ITickSink sink)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(sink);
        _cache = cache;
        _sequences = sequences;
        _sink = sink;
        _catalog = cache.Catalog;
    }

    /// <summary>Ticks processed so far (readable from any thread).</summary>
    public long ProcessedTicks => Volatile.Read(ref _processedTicks);

    /// <summary>Ticks dropped because they named no instrument of the catalog.</summary>
    public long InvalidTicks => Volatile.Read(ref _invalidTicks);

    /// <summary>
    /// Reads the channel until it completes (then publishes any unfinished book update) or
    /// <paramref name="cancellationToken"/> is cancelled (then returns normally). A sink exception ends the task.
    /// </summary>
    public async Task RunAsync(ChannelReader<Tick> reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out Tick tick))
                {
                    Process(tick);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        Flush();
    }

    public void Process(in Tick tick)
    {
        Volatile.Write(ref _processedTicks, _processedTicks + 1);
        int id = tick.InstrumentId;
        if ((uint)id >= (uint)_catalog.Count)
        {
            Volatile.Write(ref _invalidTicks, _invalidTicks + 1);
            return;
        }

        Instrument instrument = _catalog[id];
        switch (tick.Kind)
        {
            case TickKind.Quote:
                Quote quote = tick.Quote;
                long quoteSequence = _sequences.Next(id, MarketChannel.Quote);
                _cache.SetQuote(id, quoteSequence, tick.Timestamp, quote);
                _sink.OnQuote(instrument, quoteSequence, tick.Timestamp, quote);
                break;

            case TickKind.Trade:
                Trade trade = tick.Trade;
                long tradeSequence = _sequences.Next(id, MarketChannel.Trade);
                _cache.SetTrade(id, tradeSequence, tick.Timestamp, trade);
                _sink.OnTrade(instrument, tradeSequence, tick.Timestamp, trade);
                break;

            case TickKind.BookLevel:
                if (_pendingCount > 0 && (_pendingInstrument != id || _pendingCount == _pending.Length))
                {
                    Flush(); // another instrument interrupted the run, or it is too long: publish what we have
                }

                BookLevel level = tick.Level;
                _pending[_pendingCount++] = new BookLevelChange(tick.BookSide, level.Price, level.Size);
                _pendingInstrument = id;
                _pendingTimestamp = tick.Timestamp;
                if (tick.EndsBookUpdate)
                {
                    Flush();
                }

                break;

            case TickKind.Status:
                _cache.SetState(id, tick.State, tick.Timestamp);
                _sink.OnStatus(instrument, tick.State, tick.Timestamp);
                break;

            default:
                Volatile.Write(ref _invalidTicks, _invalidTicks + 1);
                break;
        }
    }

    /// <summary>Publishes the book update collected so far, if any (its end tick has not arrived).</summary>
    public void Flush()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        int id = _pendingInstrument;
        long sequence = _sequences.Next(id, MarketChannel.Book);
        _cache.ApplyBook(id, sequence, _pendingTimestamp, _pending.AsSpan(0, _pendingCount), _update);
        _pendingCount = 0;
        _pendingInstrument = -1;
        _sink.OnBook(_catalog[id], sequence, _pendingTimestamp, _update);
    }
}
