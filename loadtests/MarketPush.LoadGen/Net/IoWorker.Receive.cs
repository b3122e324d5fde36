using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using MarketPush.LoadGen.Measure;
using MarketPush.LoadGen.Runner;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.LoadGen.Net;

/// <summary>
/// The receive path, per readable socket: one large recv, frames through the connection's <see cref="MessageReader"/>,
/// quotes through <see cref="QuoteScanner"/> into the histograms. This is the runner's hot path: nothing here
/// allocates per message.
/// </summary>
internal sealed unsafe partial class IoWorker
{
    private static ReadOnlySpan<byte> ServerKey => "\"server\":\""u8;

    private static ReadOnlySpan<byte> CompressionKey => "\"compression\":"u8;

    private void ReadFrames(ClientConnection connection)
    {
        int carry = connection.CarryLength;
        if (carry > 0)
        {
            // An incomplete frame header from the last read goes first, then the new bytes after it.
            connection.Carry.AsSpan(0, carry).CopyTo(_receiveBuffer);
            connection.CarryLength = 0;
        }

        nint received = Libc.Recv(connection.Fd, _receivePointer + carry, ReceiveBufferSize, 0);
        long now = Stopwatch.GetTimestamp();
        if (received <= 0)
        {
            if (received < 0 && Marshal.GetLastPInvokeError() == Libc.EAgain)
            {
                _receiveBuffer.AsSpan(0, carry).CopyTo(connection.Carry);
                connection.CarryLength = carry;
                return;
            }

            OnEndOfStream(connection, now);
            return;
        }

        int length = (int)received;
        Stats.WireBytes += length;
        _intervalBytes += length;
        if (_clock.InWindow(now))
        {
            Stats.WindowWireBytes += length;
        }

        ProcessFrames(connection, _receiveBuffer, 0, carry + length, now, RunClock.UnixMicrosNow());
    }

    /// <summary>
    /// Handles <paramref name="length"/> received bytes at <paramref name="offset"/>: whole, final, unmasked,
    /// uncompressed text frames (nearly every frame under load) take the fast path, parsed in place with the project's
    /// <see cref="FrameHeader"/> and handled without a copy; anything else (control frames, fragments, compressed or
    /// split frames, violations) goes to the connection's <see cref="MessageReader"/>, which keeps it until it has
    /// delivered a whole message and is back at a frame boundary. Leaves an incomplete header in the carry.
    /// </summary>
    /// <remarks>
    /// Why two paths: the reader copies every payload into a pooled buffer and validates UTF-8 incrementally, about
    /// 150–250 ns a message on this machine; the in-place path is 60–80 ns including the quote scan, which is what lets
    /// one runner core take 2M+ messages/s. The fast path still checks everything the reader would for such a frame
    /// (reserved bits, mask, valid UTF-8), so a non-conforming server is still caught.
    /// </remarks>
    private void ProcessFrames(ClientConnection connection, byte[] buffer, int offset, int length, long now, long nowMicros)
    {
        bool inWindow = _clock.InWindow(now);
        int position = offset;
        int end = offset + length;
        while (position < end)
        {
            if (!connection.ReaderBusy)
            {
                ReadOnlySpan<byte> rest = buffer.AsSpan(position, end - position);
                OperationStatus parsed = FrameHeader.TryParse(rest, out FrameHeader header);
                if (parsed == OperationStatus.NeedMoreData)
                {
                    rest.CopyTo(connection.Carry);
                    connection.CarryLength = rest.Length;
                    return;
                }

                if (parsed == OperationStatus.Done && IsPlainCompleteTextFrame(in header, rest.Length))
                {
                    ReadOnlySpan<byte> payload = rest.Slice(header.HeaderLength, (int)header.PayloadLength);
                    position += header.HeaderLength + (int)header.PayloadLength;
                    if (!Utf8.IsValid(payload))
                    {
                        OnViolation(connection, CloseCodes.InvalidPayloadData, "invalid UTF-8 in a text message", now);
                        return;
                    }

                    OnMessage(connection, payload, now, nowMicros, inWindow);
                    if (connection.Fd < 0)
                    {
                        return;
                    }

                    continue;
                }

                connection.ReaderBusy = true;
            }

            int consumed = FeedReader(connection, buffer, position, end - position, now, nowMicros, inWindow);
            if (consumed < 0)
            {
                return;
            }

            position += consumed;
        }
    }

    private static bool IsPlainCompleteTextFrame(in FrameHeader header, int available) =>
        header.Fin && header.RawOpcode == (byte)WebSocketOpcode.Text && !header.Masked && !header.Rsv1 && !header.Rsv2 && !header.Rsv3
        && header.PayloadLength <= available - header.HeaderLength;

    /// <summary>
    /// Gives bytes to the reader until it delivers a whole data message (then the reader is at a frame boundary and
    /// the fast path resumes: returns the bytes consumed) or wants more data (returns -1, with an incomplete header
    /// carried); -1 too when the connection closed.
    /// </summary>
    private int FeedReader(ClientConnection connection, byte[] buffer, int offset, int count, long now, long nowMicros, bool inWindow)
    {
        var sequence = new ReadOnlySequence<byte>(buffer, offset, count);
        MessageReader reader = connection.Reader!;
        while (true)
        {
            MessageReadStatus status = reader.Read(ref sequence);
            switch (status)
            {
                case MessageReadStatus.NeedMoreData:
                    int left = (int)sequence.Length;
                    if (left > connection.Carry.Length)
                    {
                        // The reader consumes payloads as they arrive and leaves at most a partial 14-byte header.
                        throw new InvalidOperationException($"the frame reader left {left} unread bytes");
                    }

                    sequence.CopyTo(connection.Carry);
                    connection.CarryLength = left;
                    return -1;
                case MessageReadStatus.Message:
                    connection.ReaderBusy = false;
                    OnMessage(connection, reader.Payload, now, nowMicros, inWindow);
                    return connection.Fd < 0 ? -1 : count - (int)sequence.Length;
                case MessageReadStatus.Ping:
                    Stats.ServerPings++;
                    if (connection.State is ConnectionState.Open or ConnectionState.Slow)
                    {
                        SendControl(connection, WebSocketOpcode.Pong, reader.Payload);
                    }

                    break;
                case MessageReadStatus.Pong:
                    if (reader.Payload.Length == sizeof(long))
                    {
                        long sentAt = BinaryPrimitives.ReadInt64LittleEndian(reader.Payload);
                        Stats.PingRoundTrip.Record((now - sentAt) * 1_000_000 / Stopwatch.Frequency);
                    }

                    break;
                case MessageReadStatus.Close:
                    OnCloseFrame(connection, reader.CloseCode, now);
                    return -1;
                default:
                    OnViolation(connection, reader.CloseCode, reader.ViolationReason, now);
                    return -1;
            }

            if (connection.Fd < 0)
            {
                return -1;
            }
        }
    }

    /// <summary>The server broke the protocol: close with the code the reader names (as a conforming client must) and count it.</summary>
    private void OnViolation(ClientConnection connection, ushort code, string? reason, long now)
    {
        Stats.ProtocolViolations++;
        Stats.FirstError ??= "protocol violation by the server: " + reason;
        WorkerStats.Increment(Stats.ClosesByCode, code);
        SendClose(connection, code);
        connection.Retired = !_churn;
        CloseSocket(connection, abortive: true);
        AfterClose(connection, now);
    }

    private void OnMessage(ClientConnection connection, ReadOnlySpan<byte> payload, long now, long nowMicros, bool inWindow)
    {
        if (connection.State != ConnectionState.Open)
        {
            if (connection.State is ConnectionState.Slow or ConnectionState.SlowDraining)
            {
                Stats.SlowDrainedMessages++;
            }

            return;
        }

        if (inWindow)
        {
            Stats.WindowMessages++;
            Stats.WindowPayloadBytes += payload.Length;
        }

        ServerMessageKind kind = QuoteScanner.Classify(payload);
        if (!connection.Welcomed)
        {
            connection.Welcomed = true;
            if (kind != ServerMessageKind.Welcome)
            {
                Stats.MissingWelcome++;
            }
            else
            {
                OnWelcome(payload);
            }

            Subscribe(connection, now);
            if (kind == ServerMessageKind.Welcome || connection.Fd < 0)
            {
                return;
            }
        }

        switch (kind)
        {
            case ServerMessageKind.Quote:
                OnQuote(connection, payload, nowMicros, inWindow);
                if (!connection.Ready)
                {
                    // A server that never acknowledges still counts as ready at its first update.
                    MarkReady(connection, now);
                }

                break;
            case ServerMessageKind.Subscribed:
                if (--connection.PendingSubscribeReplies <= 0 && !connection.Ready)
                {
                    MarkReady(connection, now);
                }

                break;
            case ServerMessageKind.Heartbeat:
                Stats.Heartbeats++;
                break;
            case ServerMessageKind.Error:
                Stats.ErrorReplies++;
                Stats.FirstError ??= "server error reply: " + Encoding.UTF8.GetString(payload[..Math.Min(payload.Length, 300)]);
                break;
        }
    }

    private void OnQuote(ClientConnection connection, ReadOnlySpan<byte> payload, long nowMicros, bool inWindow)
    {
        if (!QuoteScanner.TryReadQuote(payload, out ReadOnlySpan<byte> symbol, out long seq, out long ts))
        {
            Stats.MalformedQuotes++;
            return;
        }

        if (QuoteScanner.IsSnapshot(payload))
        {
            Stats.Snapshots++;
            return;
        }

        long[] lastSeq = connection.LastSeq;
        int local;
        if (lastSeq.Length == 1)
        {
            local = 0; // one subscription: every quote is for it, no lookup needed
        }
        else if (!_plan.Universe.TryGetId(symbol, out int id) || (local = _plan.GetLocalIndex(connection.SymbolStart, lastSeq.Length, id)) < 0)
        {
            Stats.UnexpectedSymbols++;
            return;
        }

        long previous = lastSeq[local];
        if (previous != 0)
        {
            if (seq > previous + 1)
            {
                long missing = seq - previous - 1;
                Stats.SeqGaps += missing;
                if (inWindow)
                {
                    Stats.WindowSeqGaps += missing;
                }
            }
            else if (seq <= previous)
            {
                Stats.SeqRegressions++;
            }
        }

        lastSeq[local] = seq;
        long latency = nowMicros - ts;
        _interval.Record(latency);
        _intervalQuotes++;
        Stats.Quotes++;
        if (inWindow)
        {
            Stats.WindowLatency.Record(latency);
            Stats.WindowQuotes++;
            if (latency < 0)
            {
                Stats.WindowFutureTimestamps++;
            }
        }
    }

    private void OnWelcome(ReadOnlySpan<byte> payload)
    {
        if (Stats.ServerName is null)
        {
            int at = payload.IndexOf(ServerKey);
            if (at >= 0)
            {
                ReadOnlySpan<byte> rest = payload.Slice(at + ServerKey.Length);
                int end = rest.IndexOf((byte)'"');
                Stats.ServerName = end > 0 ? Encoding.UTF8.GetString(rest[..Math.Min(end, 100)]) : null;
            }

            at = payload.IndexOf(CompressionKey);
            if (at >= 0)
            {
                Stats.WelcomeCompression = payload.Slice(at + CompressionKey.Length).StartsWith("true"u8) ? "true" : "false";
            }
        }
    }

    private void Subscribe(ClientConnection connection, long now)
    {
        int commands = _plan.GetSubscribeCommandCount(connection.GlobalIndex);
        connection.PendingSubscribeReplies = commands;
        if (commands == 0)
        {
            MarkReady(connection, now);
            return;
        }

        for (int i = 0; i < commands && connection.Fd >= 0; i++)
        {
            SendFrame(connection, WebSocketOpcode.Text, _plan.BuildSubscribeCommand(connection.GlobalIndex, i));
        }
    }

    private void MarkReady(ClientConnection connection, long now)
    {
        connection.Ready = true;
        Stats.ReadyTime.Record((now - connection.ConnectStartedAt) * 1_000_000 / Stopwatch.Frequency);
        if (_plan.PingTicks > 0)
        {
            // Spread the pings over the interval so they do not arrive at the server in one burst.
            connection.NextPingAt = now + (long)(_plan.PingTicks * ((NextMaskKey() & 0xFFFF) / 65536.0));
        }

        if (connection.IsSlow)
        {
            // From here on this client never reads: the server's queue for it fills and its policy decides.
            connection.State = ConnectionState.Slow;
            Stats.SlowConnections++;
            UpdateInterest(connection);
            return;
        }

        if (_churn)
        {
            if (_plan.HoldTicks == 0)
            {
                BeginRunnerClose(connection, now);
            }
            else
            {
                connection.DeadlineAt = now + _plan.HoldTicks;
            }
        }
    }

    private void OnCloseFrame(ClientConnection connection, ushort code, long now)
    {
        switch (connection.State)
        {
            case ConnectionState.Closing:
                break; // the reply to our close
            case ConnectionState.Slow or ConnectionState.SlowDraining:
                WorkerStats.Increment(Stats.SlowClosesByCode, code);
                SendClose(connection, code);
                break;
            default:
                Stats.ClosesByServer++;
                WorkerStats.Increment(Stats.ClosesByCode, code);
                connection.Retired = !_churn;
                SendClose(connection, code);
                break;
        }

        if (connection.Fd < 0)
        {
            return;
        }

        // RFC 6455 §7.1.1: the server should close TCP first; waiting for its FIN keeps TIME_WAIT off our side.
        connection.State = ConnectionState.AwaitingEof;
        connection.DeadlineAt = now + (Stopwatch.Frequency * CloseTimeoutMs / 1000);
        UpdateInterest(connection);
    }

    private void OnEndOfStream(ClientConnection connection, long now)
    {
        switch (connection.State)
        {
            case ConnectionState.AwaitingEof or ConnectionState.Closing:
                break;
            case ConnectionState.Slow or ConnectionState.SlowDraining:
                WorkerStats.Increment(Stats.SlowClosesByCode, 1006);
                break;
            default:
                // No close frame: 1006 (RFC 6455 §7.1.5), counted like a close code.
                Stats.ClosesByServer++;
                WorkerStats.Increment(Stats.ClosesByCode, 1006);
                connection.Retired = !_churn;
                break;
        }

        CloseSocket(connection, abortive: false);
        AfterClose(connection, now);
    }
}
