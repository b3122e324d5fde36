using System.Buffers;
using System.IO.Pipelines;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>
/// The send loop's metrics over in-memory pipes with a listening collector: what one write records (frames, messages
/// and bytes by encoding and RSV1, one tick age from the oldest update, the queue depth at wake-up), the session
/// close by code and reason, and that none of it allocates per write.
/// </summary>
[Collection(SendLoopAllocationCollection.Name)]
public sealed class SendLoopMetricsTests : IAsyncDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly FakeTimeProvider _time = new(s_now);
    private readonly MarketPushMetrics _metrics;
    private readonly MetricsCollector _collector;
    private readonly StreamServer _server;
    private readonly Pipe _fromClient = new();
    private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: 0));

    public SendLoopMetricsTests()
    {
        _metrics = new MarketPushMetrics(timeProvider: _time, knownSessionCloses: [.. DisconnectReasons.Known.Select(static r => (r.Code, r.Name))]);
        _collector = new MetricsCollector(_metrics, includeRuntimeMetrics: false);
        _server = TestStreamServer.Create(new StreamOptions { CloseTimeoutMs = 500 }, _time, _metrics);
    }

    private static long NowMicros => (s_now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    [Fact]
    public async Task OneWrite_RecordsItsFramesMessagesBytes_AndTheOldestTickAge()
    {
        Session session = NewSession(WireEncoding.MessagePack, compression: true);
        byte[] large = new byte[600]; // over the 256-byte threshold: the deflate session gets it with RSV1 set
        Array.Fill(large, (byte)'q');
        int plainBytes = 0;
        int compressedBytes = 0;

        // Queued before the loop starts, so its first wake-up drains all of them into one write.
        plainBytes += Enqueue(session, new byte[40], feedTimestamp: NowMicros - 2_000);
        plainBytes += Enqueue(session, new byte[50], feedTimestamp: NowMicros - 5_000); // the oldest: 5 ms
        compressedBytes += Enqueue(session, large, feedTimestamp: NowMicros - 1_000);
        plainBytes += Enqueue(session, new byte[30], feedTimestamp: 0);                 // a reply: no tick age
        SharedFrame pong = _server.Frames.BuildFrame(WebSocketOpcode.Pong, "p"u8);
        session.Queue.TryEnqueueControl(pong);
        pong.Release();

        Connection connection = new(_fromClient.Reader, _toClient.Writer, new DefaultHttpContext(), session, _server.ConnectionServices, deflate: false, NullLogger.Instance);
        Task run = connection.RunAsync();
        long written = await DrainAsync(plainBytes + compressedBytes + 3);

        string scrape = _collector.Scrape();
        Assert.Equal(plainBytes + compressedBytes + 3, written);
        Assert.Contains("marketpush_transport_write_frames_count 1\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_write_frames_sum 5\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_sent_messages_total{encoding=\"msgpack\",compressed=\"false\"} 3\n", scrape, StringComparison.Ordinal);
        Assert.Contains($"marketpush_transport_sent_bytes_total{{encoding=\"msgpack\",compressed=\"false\"}} {plainBytes}\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_sent_messages_total{encoding=\"msgpack\",compressed=\"true\"} 1\n", scrape, StringComparison.Ordinal);
        Assert.Contains($"marketpush_transport_sent_bytes_total{{encoding=\"msgpack\",compressed=\"true\"}} {compressedBytes}\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_sent_messages_total{encoding=\"json\",compressed=\"false\"} 0\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_tick_age_seconds_count 1\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_tick_age_seconds_sum 0.005\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_outbound_queue_frames_count 1\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_outbound_queue_frames_sum 5\n", scrape, StringComparison.Ordinal);

        await EndAsync(run);
    }

    [Fact]
    public async Task SessionEnd_IsCountedOnce_WithTheCloseCodeAndReasonName()
    {
        Session session = NewSession(WireEncoding.Json, compression: false);
        Connection connection = new(_fromClient.Reader, _toClient.Writer, new DefaultHttpContext(), session, _server.ConnectionServices, deflate: false, NullLogger.Instance);
        Task run = connection.RunAsync();

        session.Close(DisconnectReasons.SlowConsumer);
        await DrainAsync(2 + 2 + DisconnectReasons.SlowConsumer.Description.Length); // the 4001 close frame
        await EndAsync(run);

        string scrape = _collector.Scrape();
        Assert.Contains("marketpush_session_closes_total{code=\"4001\",reason=\"slow_consumer\"} 1\n", scrape, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_closes_total{code=\"1006\",reason=\"connection_lost\"} 0\n", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendLoop_AllocatesNothingPerWrite_WithMetricsListening()
    {
        const int Warmup = 5_000;
        const int Measured = 8_000; // per batch, three batches
        Session session = NewSession(WireEncoding.Json, compression: false);
        Connection connection = new(_fromClient.Reader, _toClient.Writer, new DefaultHttpContext(), session, _server.ConnectionServices, deflate: false, NullLogger.Instance);
        Task run = connection.RunAsync();
        byte[] payload = new byte[100];
        PipeReader reader = _toClient.Reader;

        // One frame per write: every write takes the wake-up, all five recordings and the clock read.
        void RoundTrip()
        {
            // No Assert here: xunit's Assert.Equal boxes and builds comparers, which this test would count.
            using (OutboundMessage message = _server.Frames.CreateMessage(WebSocketOpcode.Text, payload, feedTimestampMicros: NowMicros - 1_000))
            {
                if (session.TryEnqueue(message) != EnqueueResult.Enqueued)
                {
                    throw new InvalidOperationException("the queue refused a frame");
                }
            }

            // A spin, not an await: this test counts the whole process's allocations, and an await that yields boxes
            // this state machine on every write. SpinOnce yields the core after a few spins: on a machine with every core
            // busy, a plain spin starved the send loop it waits for and the test ran past its timeout.
            var spinner = default(SpinWait);
            while (true)
            {
                if (reader.TryRead(out ReadResult result) && !result.Buffer.IsEmpty)
                {
                    reader.AdvanceTo(result.Buffer.End);
                    return;
                }

                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        for (int i = 0; i < Warmup; i++)
        {
            RoundTrip();
        }

        // The loop runs on pool threads, so the whole process is counted (this collection runs alone). Measured with
        // the loop idle in between, the runtime's own background work (thread pool workers starting and parking,
        // tiering) came to 0.3-2 bytes per write, and on a loaded machine an occasional burst of it went past the
        // bound; any per-write object (a closure, a boxed tag, a params or TagList array, a Task) costs at least 24,
        // so a bound of 4 bytes per write catches one even if only every sixth write allocated it. A per-write object
        // shows in every batch, background noise does not, so the quietest of three batches is judged.
        long quietest = long.MaxValue;
        for (int batch = 0; batch < 3; batch++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Measured; i++)
            {
                RoundTrip();
            }

            quietest = Math.Min(quietest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Assert.True(quietest < Measured * 4, $"{quietest} bytes allocated over {Measured} writes in the quietest of three batches");
        Assert.Contains($"marketpush_transport_tick_age_seconds_count {Warmup + (3 * Measured)}\n", _collector.Scrape(), StringComparison.Ordinal);

        await EndAsync(run);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _collector.Dispose();
        _metrics.Dispose();
        _timeout.Dispose();
    }

    private Session NewSession(WireEncoding encoding, bool compression) =>
        new(Session.CreateId(), encoding, compression, new OutboundQueue(), _server.Frames);

    // Queues one message the way the router does (its variant for this session); returns its wire length.
    private int Enqueue(Session session, byte[] payload, long feedTimestamp)
    {
        using OutboundMessage message = _server.Frames.CreateMessage(WebSocketOpcode.Binary, payload, feedTimestampMicros: feedTimestamp);
        Assert.Equal(EnqueueResult.Enqueued, session.TryEnqueue(message));
        return message.GetFrame(session.Compression).Length;
    }

    // Reads what the loop wrote until at least `bytes` arrived; returns the count.
    private async Task<long> DrainAsync(long bytes)
    {
        long total = 0;
        while (total < bytes)
        {
            ReadResult result = await _toClient.Reader.ReadAsync(_timeout.Token);
            total += result.Buffer.Length;
            _toClient.Reader.AdvanceTo(result.Buffer.End);
        }

        return total;
    }

    // EOF from the client: the receive loop ends, the send loop is stopped and the session is finished.
    private async Task EndAsync(Task run)
    {
        await _fromClient.Writer.CompleteAsync();
        await run.WaitAsync(_timeout.Token);
        Assert.Equal(0, _server.FramePool.Outstanding);
    }
}

/// <summary>Runs alone: the allocation test counts every thread's allocations.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SendLoopAllocationCollection
{
    public const string Name = "Send loop allocations";
}

