using System.Buffers;
using System.IO.Pipelines;
using MarketPush.Engine.Buffers;
using MarketPush.Protocol.WebSockets;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Transport;

// The receive loop: bytes from the input pipe → MessageReader → commands, pongs, the close handshake.
internal sealed partial class Connection
{
    // Written by the receive loop on every read that brought bytes, read by the keepalive tick (a long: atomic on
    // the 64-bit targets we run on, and Volatile keeps it fresh).
    private long _lastReceiveTimestamp;

    // Names the loop in transport-ending log lines.
    private const string ReceiveLoop = "receive";

    // How long input is drained after a protocol violation before the connection is dropped.
    private const int ViolationLingerMs = 1000;

    // Set after a protocol violation: the reader is done, so incoming bytes are only drained until the peer closes.
    private bool _discardInput;

    // A masked control frame with a payload of n bytes (n <= 125) is 2 + 4 + n bytes on the wire (RFC 6455 §5.2).
    private const int MaskedControlHeaderLength = 6;

    // The frame reader while a message may be in flight; null at a message boundary (back in the server's pool).
    private MessageReader? _reader;

    /// <summary>For tests: whether this connection holds a frame reader now (only while a message may be in flight).</summary>
    internal bool HoldsFrameReader => Volatile.Read(ref _reader) is not null;

    /// <summary>
    /// Runs the connection to its end: registers the session, starts the send loop, and is the receive loop itself
    /// (one async state machine per connection fewer than a separate loop method; each is ~150 bytes on an idle
    /// connection). Reads the input pipe until the close handshake, EOF, abort, or the drain after a protocol
    /// violation ends. The frame reader consumes every complete frame and keeps partial payloads itself; only a
    /// partial header (at most 14 bytes) is left unconsumed, and marking everything examined makes the next read
    /// wait for new bytes. While idle the pending read holds no buffer (the transport waits for data before renting
    /// one). Never throws for network errors; they end the session as connection_lost.
    /// </summary>
    public async Task RunAsync()
    {
        // Registered before the send loop starts: on the socket path its first write (101 and welcome) can reach the
        // client before this method resumes, and a client that read its welcome must find its session registered.
        _services.Sessions.TryAdd(_session);
        if (_services.Gate.IsShuttingDown)
        {
            _session.Close(DisconnectReasons.ServerShutdown); // registered after shutdown began: it missed the broadcast close
        }

        Task sendLoop = SendLoopAsync();
        PipeReader input = _input;
        CancellationTokenSource? linger = null;
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(linger?.Token ?? default).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    // Abort (CancelPendingRead): the transport is being torn down too.
                    input.AdvanceTo(buffer.Start);
                    _session.TrySetCloseReason(DisconnectReasons.ConnectionLost);
                    return;
                }

                if (!buffer.IsEmpty)
                {
                    // A read completes only when new bytes arrived (everything before was examined).
                    Volatile.Write(ref _lastReceiveTimestamp, _services.Time.GetTimestamp());
                }

                if (_discardInput)
                {
                    input.AdvanceTo(buffer.End);
                }
                else
                {
                    bool stop = Dispatch(ref buffer);
                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (stop)
                    {
                        return;
                    }
                }

                if (result.IsCompleted)
                {
                    // EOF. After our close went out this is the peer closing the TCP connection, which is fine.
                    _session.TrySetCloseReason(DisconnectReasons.ConnectionLost);
                    return;
                }

                if (_discardInput && linger is null)
                {
                    // Drain for a bounded time only: a peer that fails the protocol gets about as long as RFC 6455
                    // clients wait for the server's TCP close after a close handshake (ClientWebSocket: 1 s).
                    linger = new CancellationTokenSource(Math.Min(_services.Timing.CloseTimeoutMs, ViolationLingerMs));
                }
            }
        }
        catch (OperationCanceledException) when (linger is { IsCancellationRequested: true } && !_aborted)
        {
            // Linger over: the peer kept the connection open after our close; drop it.
        }
        catch (Exception ex) when (TryClassifyEnding(ex, out SocketErrorKind kind))
        {
            OnTransportEnded(kind, ReceiveLoop, ex);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Receive loop of {Session} failed", _session.Id);
            _session.Close(DisconnectReasons.InternalError);
        }
        finally
        {
            linger?.Dispose();
            await FinishAsync(sendLoop).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Feeds the reader until it needs more data. Returns true when the receive loop should end.
    /// </summary>
    /// <remarks>
    /// The reader is rented for the call and goes back to the pool when it ends at a message boundary with every byte
    /// consumed, so idle connections hold none. "At a boundary" is tracked from what the reader reports, not its
    /// internals: starting from a boundary (a fresh or returned reader), a Message event ends at one again (the reader
    /// returns as soon as the final frame completes), a Ping or Pong that consumed exactly one control frame leaves
    /// the state as it was (control frames may sit between the fragments of a message, RFC 6455 §5.4), and any other
    /// consumption (a data fragment, part of a frame) means a message or frame may be in progress, so the reader stays.
    /// </remarks>
    private bool Dispatch(ref ReadOnlySequence<byte> sequence)
    {
        MessageReader reader = _reader ?? _services.Readers.Rent(_deflate);
        _reader = reader;
        bool atBoundary = _readerAtBoundary;
        while (true)
        {
            long before = sequence.Length;
            MessageReadStatus status = reader.Read(ref sequence);
            long consumed = before - sequence.Length;
            switch (status)
            {
                case MessageReadStatus.NeedMoreData:
                    atBoundary &= consumed == 0;
                    if (atBoundary && sequence.IsEmpty)
                    {
                        // Nothing in flight: the reader holds no buffer now (the Read after a message returned it).
                        _reader = null;
                        _services.Readers.Return(reader, _deflate);
                    }

                    _readerAtBoundary = atBoundary;
                    return false;

                case MessageReadStatus.Message:
                    atBoundary = true;

                    // After a close is queued the server no longer acts on commands (RFC 6455 §5.5.1).
                    if (!_session.Queue.IsClosing)
                    {
                        _services.Handler.Handle(_session, reader.MessageOpcode, reader.Payload);
                    }

                    break;

                case MessageReadStatus.Ping:
                    atBoundary &= consumed == MaskedControlHeaderLength + reader.Payload.Length;

                    // §5.5.3: the pong carries the ping's application data.
                    SharedFrame pong = _services.Frames.BuildFrame(WebSocketOpcode.Pong, reader.Payload);
                    _session.Queue.TryEnqueueControl(pong);
                    pong.Release();
                    break;

                case MessageReadStatus.Pong:
                    // Liveness was recorded when the bytes arrived.
                    atBoundary &= consumed == MaskedControlHeaderLength + reader.Payload.Length;
                    break;

                case MessageReadStatus.Close:
                    OnCloseReceived(reader.CloseCode);
                    return true;

                case MessageReadStatus.ProtocolViolation:
                    OnProtocolViolation(reader.CloseCode, reader.ViolationReason);
                    return false;
            }
        }
    }

    private void OnCloseReceived(ushort code)
    {
        // §5.5.1: answer a close with a close, echoing the status code (none when the peer sent none). When our
        // close is already out or queued, this frame is the peer's answer and the handshake is complete.
        if (!_session.TrySetCloseReason(DisconnectReasons.FromClientClose(code)))
        {
            return;
        }

        SharedFrame echo = code == CloseCodes.NoStatusReceived
            ? _services.Frames.BuildEmptyCloseFrame()
            : _services.Frames.BuildCloseFrame(code, null);
        _session.Queue.TryEnqueueClose(echo);
        echo.Release();
    }

    private void OnProtocolViolation(ushort code, string? reason)
    {
        DisconnectReason disconnect = DisconnectReasons.FromViolation(code, reason);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Session {Session} protocol violation: {Reason}", _session.Id, disconnect);
        }

        // §7.1.7 "Fail the WebSocket Connection": send the close, then stop processing input. We keep reading (and
        // dropping) until the peer closes or the close timeout passes, because closing a socket with unread input
        // makes the kernel send RST, which can destroy the close frame before the peer reads it.
        _session.Close(disconnect);
        _discardInput = true;
    }
}
