using System.Buffers;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Transport;

// The send loop: the only writer of the stream.
internal sealed partial class Connection
{
    // Smallest write buffer rented per wake-up; covers the usual handful of ticks plus a control frame.
    private const int MinWriteBufferBytes = 4096;

    // Written by the send loop after each write that carried a data frame; read by the keepalive tick to decide
    // when a `heartbeat` message is due.
    private long _lastDataSentTimestamp;

    /// <summary>
    /// Waits for the queue, copies everything queued since the last write into one contiguous rented buffer, and
    /// writes it with one WriteAsync + flush (PERFORMANCE-NOTES: the kernel's cost is per write, so the number of
    /// messages per write decides throughput; one copy into a buffer beats writev). Frames are released as soon as
    /// they are copied, not after the write: the bytes are in the write buffer by then, and it means the loop never
    /// holds a list of frames. Stops after writing the close frame, or when the queue completes.
    /// </summary>
    private async Task SendLoopAsync()
    {
        OutboundQueue queue = _session.Queue;
        CancellationToken cancellationToken = _aborted.Token;
        try
        {
            while (await queue.WaitAsync().ConfigureAwait(false))
            {
                int size = (int)Math.Min(Array.MaxLength, Math.Max(MinWriteBufferBytes, queue.PendingBytes));
                byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
                try
                {
                    int used = 0;
                    bool closeWritten = false;
                    bool dataWritten = false;
                    while (queue.TryDequeue(buffer.Length - used, out SharedFrame frame))
                    {
                        frame.Bytes.CopyTo(buffer.AsSpan(used));
                        used += frame.Length;
                        closeWritten = frame.IsClose;
                        dataWritten |= !frame.IsControl;
                        frame.Release();
                        if (closeWritten)
                        {
                            break;
                        }
                    }

                    if (used == 0)
                    {
                        // The head frame arrived after PendingBytes was read and does not fit; size again.
                        continue;
                    }

                    await _stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
                    await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
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
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
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
