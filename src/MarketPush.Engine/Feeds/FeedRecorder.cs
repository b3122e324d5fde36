using System.Threading.Channels;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Feeds;

/// <summary>
/// <c>--record PATH</c>: tees every tick the feeds produce into a capture file (<see cref="CaptureFormat"/>, LZ4 when
/// the path ends in <c>.lz4</c>), so replaying the file gives the same events in the same order. The
/// <see cref="FeedSupervisor"/>'s writers call <see cref="TryRecord"/> with each tick a feed wrote (before any ingest
/// drop, so a recording is complete even when ingest was not); the supervisor's own <c>stale</c>/<c>open</c>
/// announcements are not recorded (a replay is supervised again and derives its own).
/// The file is written by one background task from a bounded queue, so disk latency never reaches a feed. If the
/// disk cannot keep up and the queue fills, ticks are dropped and counted (<see cref="Dropped"/>, logged at the end)
/// rather than stalling live feeds. The file is flushed at least every second (an LZ4 block ends early), so a crash
/// loses at most about a second; <see cref="CompleteAsync"/> writes the end of the LZ4 frame.
/// Threading: <see cref="TryRecord"/> from any number of feed tasks; everything else from the host.
/// </summary>
public sealed class FeedRecorder : IAsyncDisposable
{
    /// <summary>Queue bound: ~50 MB of ticks, several seconds of a busy feed.</summary>
    public const int DefaultCapacity = 1 << 20;

    private static readonly TimeSpan s_flushInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<Tick> _queue;
    private readonly CsvCaptureWriter _writer;
    private readonly InstrumentCatalog _catalog;
    private readonly ILogger _logger;
    private readonly Task _drain;
    private long _recorded;
    private long _dropped;
    private int _completed;

    /// <param name="compressionLevel">LZ4 level for <c>.lz4</c> paths: 0 fast (default), up to 12 for smaller files.</param>
    public FeedRecorder(string path, InstrumentCatalog catalog, int capacity = DefaultCapacity, int compressionLevel = 0, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(catalog);
        Path = path;
        _catalog = catalog;
        _logger = logger ?? NullLogger.Instance;
        // Every instrument is declared in the header, so a replay learns its symbols without reading the whole file.
        _writer = CsvCaptureWriter.Create(path, catalog.Instruments, compressionLevel);
        _queue = Channel.CreateBounded<Tick>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; we count that ourselves
            SingleReader = true,
            SingleWriter = false,
        });
        _drain = Task.Run(DrainAsync);
    }

    public string Path { get; }

    /// <summary>Events written to the file so far.</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    /// <summary>Events not recorded because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one tick for the file; false (and counted) when the queue is full or recording has ended.</summary>
    public bool TryRecord(in Tick tick)
    {
        if (_queue.Writer.TryWrite(tick))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Stops accepting ticks, writes what is queued, ends the file. Safe to call more than once.</summary>
    public async Task CompleteAsync()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }

        await _drain.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);

    private async Task DrainAsync()
    {
        long lastFlush = Environment.TickCount64;
        try
        {
            ChannelReader<Tick> reader = _queue.Reader;
            Task<bool>? ready = null;
            while (true)
            {
                // Wake at least every flush interval so a quiet feed's last events still reach the disk. The wait is
                // kept across wake-ups: one outstanding WaitToReadAsync at a time.
                ready ??= reader.WaitToReadAsync().AsTask();
                if (!ready.IsCompleted)
                {
                    await Task.WhenAny(ready, Task.Delay(s_flushInterval)).ConfigureAwait(false);
                }

                while (reader.TryRead(out Tick tick))
                {
                    if ((uint)tick.InstrumentId < (uint)_catalog.Count)
                    {
                        _writer.Write(_catalog[tick.InstrumentId], tick);
                        Interlocked.Increment(ref _recorded);
                    }
                }

                if (Environment.TickCount64 - lastFlush >= s_flushInterval.TotalMilliseconds)
                {
                    _writer.Flush();
                    lastFlush = Environment.TickCount64;
                }

                if (ready.IsCompleted)
                {
                    if (!await ready.ConfigureAwait(false))
                    {
                        break; // completed and drained
                    }

                    ready = null;
                }
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Recording to {Path} failed: {Message}", Path, ex.Message);
            _queue.Writer.TryComplete(ex);
        }
        finally
        {
            try
            {
                _writer.Dispose();
            }
            catch (IOException ex)
            {
                _logger.LogError(ex, "Closing the recording {Path} failed: {Message}", Path, ex.Message);
            }

            long dropped = Dropped;
            if (dropped > 0)
            {
                _logger.LogWarning("Recording {Path}: {Dropped} events were not recorded because the disk could not keep up", Path, dropped);
            }
        }
    }
}
