using System.Buffers;
using System.IO.Pipelines;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Transport;

// The send loop: the only writer of the output pipe.
internal sealed partial class Connection
{
    // Bytes copied into the pipe before a flush. Kestrel's socket transport pauses writers at 64 KiB unsent, so a
    // larger batch would only wait in the pipe; a frame larger than this still goes whole, in a batch of its own.
    private const int MaxBatchBytes = 64 * 1024;

    // Written by the send loop after each write that carried a data frame; read by the keepalive tick to decide
    // when a `heartbeat` message is due.
    private long _lastDataSentTimestamp;

    /// <summary>
    /// Waits for the queue, copies everything queued since the last write into the output pipe (up to
    /// <see cref="MaxBatchBytes"/>) and flushes once (PERFORMANCE-NOTES: the kernel's cost is per write, so the number
    /// of messages per write decides throughput). The pipe's pooled 4 KiB blocks are this loop's write buffer: small
    /// frames land back to back in one block, so a batch goes out as one send of a few contiguous segments, and no
    /// buffer is held between batches. Frames are released as soon as they are copied, so the loop never holds a
    /// list of frames. Stops after writing the close frame, or when the queue completes.
    /// </summary>
    private async Task SendLoopAsync()
    {
        OutboundQueue queue = _session.Queue;
        PipeWriter output = _output;
        try
        {
            while (await queue.WaitAsync().ConfigureAwait(false))
            {
                int used = 0;
                bool closeWritten = false;
                bool dataWritten = false;

                // The first frame is taken whatever its size; the rest while they fit in the batch.
                int room = int.MaxValue;
                while (queue.TryDequeue(room, out SharedFrame frame))
                {
                    try
                    {
                        output.Write(frame.Bytes);
                        used += frame.Length;
                        closeWritten = frame.IsClose;
                        dataWritten |= !frame.IsControl;
                    }
                    finally
                    {
                        frame.Release();
                    }

                    if (closeWritten)
                    {
                        break;
                    }

                    room = Math.Max(0, MaxBatchBytes - used);
                }

                if (used == 0)
                {
                    // Woken, but the queue completed before the frame could be taken; WaitAsync says so next.
                    continue;
                }

                FlushResult flushed = await output.FlushAsync().ConfigureAwait(false);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    // Abort (CancelPendingFlush) or the transport stopped reading: the peer is gone.
                    queue.Complete();
                    Abort();
                    return;
                }

                if (dataWritten)
                {
                    Volatile.Write(ref _lastDataSentTimestamp, _server.Time.GetTimestamp());
                }

                if (closeWritten)
                {
                    // §5.5.1: nothing may follow a close frame. Queued frames are released by Complete.
                    queue.Complete();
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            if (!IsDisconnect(ex))
            {
                _logger.LogError(ex, "Send loop of {Session} failed", _session.Id);
            }

            // The peer is gone (or the write failed): end the receive loop too.
            queue.Complete();
            Abort();
        }
    }
}
