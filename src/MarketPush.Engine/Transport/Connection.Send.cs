using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;
using MarketPush.Protocol.Handshake;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Transport;

// The send loop: the only writer of the connection, through the output pipe or straight to the socket.
internal sealed partial class Connection
{
    // Bytes gathered into one write. Kestrel's socket transport pauses writers at 64 KiB unsent, so a larger batch
    // would only wait in the pipe (or, on the socket path, in our buffer); a frame larger than this still goes whole,
    // in a batch of its own.
    private const int MaxBatchBytes = 64 * 1024;

    // Written by the send loop after each write that carried a data frame; read by the keepalive tick to decide
    // when a `heartbeat` message is due.
    private long _lastDataSentTimestamp;

    // Socket path only: the 101 that DirectUpgradeMiddleware handed over (WriteUpgradeResponse), sent at the head of
    // the first write so the answer and the welcome leave in one send, as they do over the pipe. Set before the send
    // loop starts, cleared by its first write.
    private byte[]? _pendingUpgradeResponse;

    // Names the loop in transport-ending log lines.
    private const string SendLoop = "send";

    // Writes that went straight to the socket (send loop only; tests read it once the loop is idle).
    private long _socketWrites;

    /// <summary>For tests: how many writes went straight to the socket rather than through the output pipe.</summary>
    internal long SocketWrites => Volatile.Read(ref _socketWrites);

    /// <summary>
    /// Waits for the queue, gathers everything queued since the last write (up to <see cref="MaxBatchBytes"/>) and
    /// writes it once (PERFORMANCE-NOTES: the kernel's cost is per write, so the number of messages per write decides
    /// throughput). Frames are released as soon as they are copied, so the loop never holds a list of frames and no
    /// buffer is held between batches. Stops after writing the close frame, or when the queue completes.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Two ways to the wire, chosen once per connection (its constructor, from <see cref="StreamOptions.SocketWriteMode"/>)
    /// and never mixed, so no byte can overtake another that is still waiting in the pipe: everything a connection
    /// writes, from the 101 to the close frame, goes the same way in send-loop order. Over the output pipe
    /// (<see cref="WritePipeBatch"/>): frames are copied into the pipe's
    /// pooled blocks and flushed; Kestrel's socket transport then sends them from its own send loop, one more
    /// scheduling hop. Straight to the socket (<see cref="WriteSocketBatchAsync"/>), on connections that came through
    /// <see cref="DirectUpgradeMiddleware"/> over Kestrel's plain socket transport: the output pipe is never written
    /// (the 101 leaves at the head of the first write, see <see cref="WriteUpgradeResponse"/>); frames are copied into one
    /// contiguous ArrayPool buffer and sent with a non-blocking <c>send()</c> from this loop; only when the kernel's
    /// buffer is full (a slow reader) does the loop await <see cref="Socket.SendAsync(ReadOnlyMemory{byte}, SocketFlags, CancellationToken)"/>
    /// for the rest, which is the same backpressure an awaited pipe flush gave. That removes the pipe flush, the hop
    /// to the transport's sender and its SocketAsyncEventArgs dispatch from every write (issue 6, G2).
    /// </para>
    /// <para>
    /// Metrics are recorded per write, never per frame: the queue depth at wake-up, the frames in the write, the
    /// messages and bytes by (encoding, compressed), and one tick age. Per frame the loop only adds to a few locals in
    /// a <see cref="WriteTally"/> (no instrument call, no clock read), so the cost per delivered message stays at a
    /// few instructions while the instruments' cost (tens of ns each with a listener attached) is shared by every
    /// message in the write.
    /// </para>
    /// </remarks>
    private async Task SendLoopAsync()
    {
        OutboundQueue queue = _session.Queue;
        MarketPushMetrics metrics = _services.Metrics;
        bool direct = _socket is not null;
        try
        {
            while (await queue.WaitAsync().ConfigureAwait(false))
            {
                metrics.OutboundQueueDepth(queue.PendingFrames);
                WriteTally tally;
                if (direct)
                {
                    SocketError error;
                    (error, tally) = await WriteSocketBatchAsync(queue, _socket!).ConfigureAwait(false);
                    if (error != SocketError.Success)
                    {
                        // The socket refused the bytes; its code says whether the peer reset or something else failed.
                        EndSendLoop(queue, _aborted ? SocketErrorKind.Abort : SocketErrorClassifier.Classify(error), error);
                        return;
                    }
                }
                else
                {
                    tally = WritePipeBatch(queue);
                    if (tally.Frames == 0)
                    {
                        // Woken, but the queue completed before the frame could be taken; WaitAsync says so next.
                        continue;
                    }

                    // The age is taken as the write starts, from the wall clock the feeds stamp `ts` with; read only
                    // when the write carries a live update.
                    tally.WriteMicros = tally.OldestFeedTimestamp != 0 ? UnixMicrosecondsNow() : 0;
                    FlushResult flushed = await _output.FlushAsync().ConfigureAwait(false);
                    if (flushed.IsCanceled || flushed.IsCompleted)
                    {
                        // Cancelled: our Abort (CancelPendingFlush). Completed: the transport stopped reading because
                        // its socket ended (Kestrel logs the socket's own error code); either way the peer is gone.
                        EndSendLoop(queue, flushed.IsCanceled || _aborted ? SocketErrorKind.Abort : SocketErrorKind.Reset, null);
                        return;
                    }
                }

                if (tally.Frames == 0)
                {
                    continue;
                }

                if (direct)
                {
                    Volatile.Write(ref _socketWrites, _socketWrites + 1);
                }

                tally.Record(metrics, _session.Encoding);
                if (tally.DataMessages > 0)
                {
                    Volatile.Write(ref _lastDataSentTimestamp, _services.Time.GetTimestamp());
                }

                if (tally.CloseWritten)
                {
                    // §5.5.1: nothing may follow a close frame. Queued frames are released by Complete.
                    queue.Complete();
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            if (TryClassifyEnding(ex, out SocketErrorKind kind))
            {
                OnTransportEnded(kind, SendLoop, ex);
            }
            else
            {
                _logger.LogError(ex, "Send loop of {Session} failed", _session.Id);
            }

            // The peer is gone (or the write failed): end the receive loop too.
            queue.Complete();
            Abort();
        }
    }

    private void EndSendLoop(OutboundQueue queue, SocketErrorKind kind, SocketError? error)
    {
        OnTransportEnded(kind, SendLoop, null, error);
        queue.Complete();
        Abort();
    }

    /// <summary>
    /// Copies the batch into the output pipe (its pooled 4 KiB blocks are the write buffer: small frames land back to
    /// back, so a batch goes out as one send of a few contiguous segments). The caller flushes.
    /// </summary>
    private WriteTally WritePipeBatch(OutboundQueue queue)
    {
        PipeWriter output = _output;
        var tally = default(WriteTally);

        // The first frame is taken whatever its size; the rest while they fit in the batch.
        int room = int.MaxValue;
        while (queue.TryDequeue(room, out SharedFrame frame))
        {
            try
            {
                output.Write(frame.Bytes);
                tally.Add(frame);
            }
            finally
            {
                frame.Release();
            }

            if (tally.CloseWritten)
            {
                break;
            }

            room = Math.Max(0, MaxBatchBytes - tally.Bytes);
        }

        return tally;
    }

    /// <summary>
    /// Gathers the batch into one contiguous buffer rented for this write only (an idle connection holds none; the
    /// pool's per-thread cache hands the same warm array to the next connection this thread serves) and sends it,
    /// behind the 101 on the first write. Returns the socket's error code when it refused the bytes with anything but
    /// "would block" (<see cref="SocketError.Success"/> otherwise); an awaited send that fails throws.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // the rare awaited send reuses its box
    private async ValueTask<(SocketError Error, WriteTally Tally)> WriteSocketBatchAsync(OutboundQueue queue, Socket socket)
    {
        byte[]? head = _pendingUpgradeResponse;
        _pendingUpgradeResponse = null;
        int start = head?.Length ?? 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(start + MaxBatchBytes);
        head?.CopyTo(buffer, 0);
        var tally = default(WriteTally);
        try
        {
            int room = int.MaxValue;
            while (queue.TryDequeue(room, out SharedFrame frame))
            {
                try
                {
                    if (frame.Length > buffer.Length - start - tally.Bytes)
                    {
                        // Only the first frame can be larger than the batch: it goes whole, in a buffer of its size
                        // (behind the 101 when this is the first write).
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(start + frame.Length);
                        head?.CopyTo(buffer, 0);
                    }

                    frame.Bytes.CopyTo(buffer.AsSpan(start + tally.Bytes));
                    tally.Add(frame);
                }
                finally
                {
                    frame.Release();
                }

                if (tally.CloseWritten)
                {
                    break;
                }

                room = Math.Max(0, Math.Min(MaxBatchBytes, buffer.Length - start) - tally.Bytes);
            }

            if (tally.Frames == 0)
            {
                // The queue completed before a frame could be taken: the connection is ending, the 101 with it.
                return (SocketError.Success, tally);
            }

            tally.WriteMicros = tally.OldestFeedTimestamp != 0 ? UnixMicrosecondsNow() : 0;

            // Non-blocking first: on loopback and on a healthy peer the kernel takes the whole batch at once, and the
            // loop goes back to its queue without another await. The socket was switched to non-blocking when the
            // connection started (see Connection's constructor).
            int length = start + tally.Bytes;
            int sent = socket.Send(buffer.AsSpan(0, length), SocketFlags.None, out SocketError error);
            if (error != SocketError.Success && error != SocketError.WouldBlock)
            {
                return (error, tally);
            }

            sent = Math.Max(0, sent);
            while (sent < length)
            {
                // The kernel's send buffer is full: wait for room like an awaited pipe flush would.
                sent += await socket.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None).ConfigureAwait(false);
            }

            return (SocketError.Success, tally);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Direct path, before <see cref="RunAsync"/>: the 101 this connection answers its handshake with
    /// (<see cref="UpgradeResponse"/>), written the way every later byte goes. Over the output pipe it is written
    /// unflushed, so the 101 and the welcome leave in the first flush; on the socket path it is kept and sent at the
    /// head of the first write (the pipe is never written), so it goes out before any frame and in the same send as
    /// the welcome. Kestrel's connection task calls it once, before the send loop starts.
    /// </summary>
    internal void WriteUpgradeResponse(string acceptKey, string? protocol, string? extensions)
    {
        int length = UpgradeResponse.GetLength(acceptKey, protocol, extensions);
        if (_socket is null)
        {
            _output.Advance(UpgradeResponse.Write(_output.GetSpan(length), acceptKey, protocol, extensions));
            return;
        }

        // Once per handshake, held only until the first write (the handshake allocates its strings anyway).
        var response = new byte[length];
        UpgradeResponse.Write(response, acceptKey, protocol, extensions);
        _pendingUpgradeResponse = response;
    }

    // Same clock and units as the feeds' `ts` (SyntheticFeed, ReplayFeed, CoarseClock: UTC µs since the Unix epoch).
    private long UnixMicrosecondsNow() =>
        (_services.Time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>
    /// What one socket write carried, added up frame by frame in locals and recorded once after the write. Data
    /// frames are "messages" (a fragmented message is one SharedFrame, so one message); control frames (ping, pong,
    /// close) count as frames of the write but not as messages. <c>compressed</c> is the frame's RSV1 bit: a deflate
    /// session still gets small messages uncompressed (below the threshold), and those count as uncompressed.
    /// </summary>
    private struct WriteTally
    {
        public int Frames;
        public int Bytes;
        public int PlainMessages;
        public int CompressedMessages;
        public long PlainBytes;
        public long CompressedBytes;
        public bool CloseWritten;

        // Feed ts of the oldest live update in the write (0: none). One age per write rather than one per frame:
        // the frames of one write leave in the same send, so they share the write time, and the oldest one is the
        // age that matters for a freshness SLO; recording every frame would put a histogram update (and its
        // interlocked bucket increments) on the per-message path, which is what the write batching exists to avoid.
        public long OldestFeedTimestamp;

        // When the write started (µs since the Unix epoch); read only when the write carries a live update.
        public long WriteMicros;

        public readonly int DataMessages => PlainMessages + CompressedMessages;

        public void Add(SharedFrame frame)
        {
            int length = frame.Length;
            Frames++;
            Bytes += length;
            if (frame.IsControl)
            {
                CloseWritten = frame.IsClose;
                return;
            }

            if (frame.IsCompressed)
            {
                CompressedMessages++;
                CompressedBytes += length;
            }
            else
            {
                PlainMessages++;
                PlainBytes += length;
            }

            long ts = frame.FeedTimestamp;
            if (ts != 0 && (OldestFeedTimestamp == 0 || ts < OldestFeedTimestamp))
            {
                OldestFeedTimestamp = ts;
            }
        }

        public readonly void Record(MarketPushMetrics metrics, WireEncoding encoding)
        {
            metrics.SocketWrite(Frames);
            if (PlainMessages > 0)
            {
                metrics.MessagesSent(encoding, compressed: false, PlainMessages, PlainBytes);
            }

            if (CompressedMessages > 0)
            {
                metrics.MessagesSent(encoding, compressed: true, CompressedMessages, CompressedBytes);
            }

            if (OldestFeedTimestamp != 0)
            {
                metrics.TickAgeAtWrite(OldestFeedTimestamp, WriteMicros);
            }
        }
    }
}
