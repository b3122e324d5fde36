using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.LoadGen.Net;

/// <summary>
/// The send path (masked client frames: commands, pongs, pings, closes; all small and rare) and the end of a
/// connection's life. Frames are written straight to the socket; only what the kernel does not take is kept in the
/// connection's outbox until EPOLLOUT.
/// </summary>
internal sealed unsafe partial class IoWorker
{
    private void SendFrame(ClientConnection connection, WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        int length = FrameWriter.GetHeaderLength(payload.Length, masked: true) + payload.Length;
        byte[] frame = length <= _sendScratch.Length ? _sendScratch : new byte[length];
        int written = FrameWriter.WriteFrame(frame, opcode, fin: true, compressed: false, payload, NextMaskKey());
        Write(connection, frame.AsSpan(0, written));
    }

    private void SendControl(ClientConnection connection, WebSocketOpcode opcode, ReadOnlySpan<byte> payload) =>
        SendFrame(connection, opcode, payload.Length <= FrameWriter.MaxControlPayloadLength ? payload : payload[..FrameWriter.MaxControlPayloadLength]);

    private void SendClose(ClientConnection connection, ushort code)
    {
        if (connection.Fd < 0)
        {
            return;
        }

        if (!CloseCodes.IsValidInCloseFrame(code))
        {
            // 1005 (no code received) and friends are never sent: answer with an empty close frame.
            SendFrame(connection, WebSocketOpcode.Close, []);
            return;
        }

        Span<byte> frame = stackalloc byte[FrameWriter.MaxHeaderLength + 2];
        int written = FrameWriter.WriteCloseFrame(frame, code, [], NextMaskKey());
        Write(connection, frame[..written]);
    }

    private void SendPing(ClientConnection connection, long now)
    {
        Span<byte> payload = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(payload, now);
        SendFrame(connection, WebSocketOpcode.Ping, payload);
    }

    /// <summary>Sends close 1000 and waits (bounded) for the server's close and FIN.</summary>
    private void BeginRunnerClose(ClientConnection connection, long now)
    {
        connection.ClosedByRunner = true;
        SendClose(connection, CloseCodes.NormalClosure);
        if (connection.Fd < 0)
        {
            return;
        }

        connection.State = ConnectionState.Closing;
        connection.DeadlineAt = now + (Stopwatch.Frequency * CloseTimeoutMs / 1000);
        UpdateInterest(connection);
    }

    /// <summary>Sends what it can now; keeps the rest (after anything already queued) for EPOLLOUT.</summary>
    private void Write(ClientConnection connection, ReadOnlySpan<byte> bytes)
    {
        if (connection.Fd < 0)
        {
            return;
        }

        int sent = 0;
        if (connection.OutboxLength == 0)
        {
            fixed (byte* pointer = bytes)
            {
                while (sent < bytes.Length)
                {
                    nint result = Libc.Send(connection.Fd, pointer + sent, bytes.Length - sent, Libc.MsgNoSignal);
                    if (result > 0)
                    {
                        sent += (int)result;
                        continue;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EIntr)
                    {
                        continue;
                    }

                    if (errno == Libc.EAgain)
                    {
                        break;
                    }

                    // EPIPE/ECONNRESET: the read side will see the end of the stream and account for it.
                    return;
                }
            }
        }

        if (sent == bytes.Length)
        {
            return;
        }

        ReadOnlySpan<byte> rest = bytes[sent..];
        int needed = connection.OutboxLength + rest.Length;
        byte[]? outbox = connection.Outbox;
        if (outbox is null || outbox.Length < needed)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 4096));
            if (outbox is not null)
            {
                outbox.AsSpan(0, connection.OutboxLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(outbox);
            }

            connection.Outbox = outbox = larger;
        }

        rest.CopyTo(outbox.AsSpan(connection.OutboxLength));
        connection.OutboxLength = needed;
        if (connection.State != ConnectionState.Connecting)
        {
            UpdateInterest(connection);
        }
    }

    /// <summary>Writes queued bytes on EPOLLOUT. False when the connection died doing so.</summary>
    private bool FlushOutbox(ClientConnection connection)
    {
        byte[] outbox = connection.Outbox!;
        int sent = 0;
        fixed (byte* pointer = outbox)
        {
            while (sent < connection.OutboxLength)
            {
                nint result = Libc.Send(connection.Fd, pointer + sent, connection.OutboxLength - sent, Libc.MsgNoSignal);
                if (result > 0)
                {
                    sent += (int)result;
                    continue;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EIntr)
                {
                    continue;
                }

                if (errno == Libc.EAgain)
                {
                    break;
                }

                OnEndOfStream(connection, Stopwatch.GetTimestamp());
                return false;
            }
        }

        int left = connection.OutboxLength - sent;
        if (left > 0)
        {
            outbox.AsSpan(sent, left).CopyTo(outbox);
        }

        connection.OutboxLength = left;
        if (left == 0)
        {
            ArrayPool<byte>.Shared.Return(outbox);
            connection.Outbox = null;
        }

        UpdateInterest(connection);
        return true;
    }

    /// <summary>Closes the socket and releases what the connection held; the slot stays for <see cref="AfterClose"/>.</summary>
    private void CloseSocket(ClientConnection connection, bool abortive)
    {
        if (connection.Fd < 0)
        {
            return;
        }

        if (abortive)
        {
            // RST instead of FIN: no TIME_WAIT piles up on our side when the server will not close first.
            Libc.SetAbortiveClose(connection.Fd);
        }

        Libc.Close(connection.Fd);
        connection.Fd = -1;
        connection.Generation++;
        connection.Interest = 0;
        if (connection.Reader is not null)
        {
            connection.Reader.Dispose();
            connection.Reader = null;
            Stats.OpenConnections--;
        }

        if (connection.HandshakeBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(connection.HandshakeBuffer);
            connection.HandshakeBuffer = null;
        }

        if (connection.Outbox is not null)
        {
            ArrayPool<byte>.Shared.Return(connection.Outbox);
            connection.Outbox = null;
        }

        connection.OutboxLength = 0;
        connection.CarryLength = 0;
        connection.State = ConnectionState.Closed;
    }

    /// <summary>
    /// After a socket closed: a churn cycle ends here and the slot starts over with a fresh connection (same symbols);
    /// a connection retired by a ramp-down that is wanted again by the time it closed is reopened. Connections the
    /// server closed are not replaced: their close is the result.
    /// </summary>
    private void AfterClose(ClientConnection connection, long now)
    {
        if (_stopping || connection.Ordinal >= _wantedOrdinals)
        {
            return;
        }

        if (_churn && !connection.Retired)
        {
            if (connection.ClosedByRunner)
            {
                Stats.ChurnCycles++;
                if (_clock.InWindow(now))
                {
                    Stats.WindowChurnCycles++;
                }
            }

            NewConnection(connection.Ordinal, now);
        }
        else if (connection.Retired && connection.ClosedByRunner)
        {
            NewConnection(connection.Ordinal, now);
        }
    }
}
