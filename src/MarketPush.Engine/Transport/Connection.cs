using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using MarketPush.Protocol.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The physical side of one session: the connection's input and output pipes and the activities on them. Created by
/// <see cref="StreamEndpoint.OpenConnection"/> after the 101 response, either over the socket transport's own pipes
/// (<see cref="DirectUpgradeMiddleware"/>, the usual way) or over pipes wrapping Kestrel's upgraded stream (an upgrade
/// that came through the HTTP pipeline); <see cref="RunAsync"/> runs on the caller's task until the connection is over.
/// </summary>
/// <remarks>
/// Three activities, one file each: the receive loop (<c>Connection.Receive.cs</c>: <see cref="RunAsync"/>, pipe
/// reads, frame reader, commands, pings, close), the send loop (<c>Connection.Send.cs</c>: drains the session's queue and writes it
/// once per wake-up, through the output pipe or, on direct upgrades over the socket transport, straight to the socket;
/// it also records the transport metrics), and the keepalive tick from the shared timer (<c>Connection.KeepAlive.cs</c>). Every
/// frame the server writes (data, pong, ping, close) goes through the one <see cref="OutboundQueue"/>, so only the
/// send loop writes and writes never interleave.
/// <para>
/// Owns both pipe ends (completed when the connection finishes), the frame reader while a message is in flight
/// (rented from the shared <see cref="MessageReaderPool"/>, see <c>Connection.Receive.cs</c>) and the abort flag; aborting also aborts the transport it was given (the Kestrel connection or the HTTP request).
/// While idle it holds no buffer and no frame reader: the socket transport waits for data before renting one, the
/// stream wrapper reads zero bytes first, and the pipes return their segments once everything is consumed. No CancellationTokenSource or
/// timer is kept per connection: <see cref="Abort"/> cancels the pending read and flush directly (a pending direct
/// socket send fails when the aborted Kestrel connection disposes its socket; the socket is never ours to close).
/// Ending: the receive loop ends on the close handshake, EOF, a protocol violation (after a short drain) or abort;
/// then the send loop gets a bounded time to flush the close frame, the queue is completed (releasing every queued
/// frame), and the session is removed from the registry last, so "no sessions left" means "every frame is back in
/// the pool".
/// </para>
/// </remarks>
internal sealed partial class Connection : ISessionTransport
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    // Set when the send loop writes straight to the socket, from the 101 on (see Connection.Send.cs); null: through
    // _output only. Fixed at construction.
    private readonly Socket? _socket;
    // HttpContext (upgrade through the HTTP pipeline) or BaseConnectionContext (direct): what Abort tears down.
    private readonly object _transport;
    private readonly IStreamSession _session;
    private readonly ConnectionServices _services;
    // permessage-deflate negotiated: the frame reader inflates with the server's shared inflater.
    private readonly bool _deflate;
    // True while the rented reader (if any) is known to be between messages; a fresh reader is.
    private bool _readerAtBoundary = true;
    private readonly ILogger _logger;
    private volatile bool _aborted;
    private volatile bool _finished;

    public Connection(PipeReader input, PipeWriter output, object transport, IStreamSession session, ConnectionServices services, bool deflate, ILogger logger)
    {
        Debug.Assert(transport is HttpContext or BaseConnectionContext, "Abort needs the HTTP request or the Kestrel connection.");
        _input = input;
        _output = output;
        _transport = transport;
        _session = session;
        _services = services;
        _logger = logger;
        _deflate = deflate;
        _socket = services.SocketWrites == SocketWriteMode.Socket ? TryTakeSocket(transport, output) : null;
        long now = services.Time.GetTimestamp();
        _lastReceiveTimestamp = now;
        _lastDataSentTimestamp = now;
        session.AttachTransport(this);
    }

    /// <summary>Over an upgraded stream (and its HTTP request): wraps it in pipes that hold no buffer while idle.</summary>
    public Connection(HttpContext context, Stream stream, IStreamSession session, ConnectionServices services, bool deflate, ILogger logger)
        : this(
            PipeReader.Create(stream, services.StreamReaderOptions),
            PipeWriter.Create(stream, services.StreamWriterOptions),
            context,
            session,
            services,
            deflate,
            logger)
    {
    }

    public IStreamSession Session => _session;

    /// <summary>For tests: whether this connection writes straight to the socket (then never through the output pipe).</summary>
    internal bool WritesToSocket => _socket is not null;

    /// <summary>Drops the connection at once (any thread): pending reads and writes fail and both loops end.</summary>
    public void Abort()
    {
        if (_finished)
        {
            // The request or connection is over and Kestrel may recycle its objects: never touch them again.
            return;
        }

        _session.TrySetCloseReason(DisconnectReasons.ConnectionLost);
        _aborted = true;
        try
        {
            _input.CancelPendingRead();
            _output.CancelPendingFlush();
            if (_transport is HttpContext context)
            {
                context.Abort();
            }
            else
            {
                ((BaseConnectionContext)_transport).Abort(new ConnectionAbortedException("The session was aborted."));
            }
        }
        catch (ObjectDisposedException)
        {
            // Lost the race with the end of the connection (another thread saw _finished still false): nothing to abort.
        }
    }

    /// <summary>
    /// With <see cref="SocketWriteMode.Socket"/>, the socket the send loop writes to instead of the output pipe, for
    /// the connection's whole life (the two are never mixed, so nothing can overtake bytes waiting in the pipe): only
    /// on the direct-upgrade path (a Kestrel connection whose output is the socket transport's own pipe), never under TLS (the pipe then carries ciphertext made by the TLS
    /// middleware) or any other transport. Assumes no other byte-transforming connection middleware runs before
    /// DirectUpgradeMiddleware. The socket is switched to non-blocking so that a synchronous <c>send()</c> returns
    /// "would block" instead of parking a pool thread; Kestrel's own receives and sends are asynchronous and do not
    /// depend on that flag.
    /// </summary>
    private static Socket? TryTakeSocket(object transport, PipeWriter output)
    {
        if (transport is not ConnectionContext context
            || !ReferenceEquals(context.Transport.Output, output)
            || context.Features.Get<ITlsHandshakeFeature>() is not null
            || context.Features.Get<IConnectionSocketFeature>()?.Socket is not { SocketType: SocketType.Stream } socket)
        {
            return null;
        }

        try
        {
            socket.Blocking = false;
            return socket;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: the pipe path reports that as usual.
            return null;
        }
    }

    private async Task FinishAsync(Task sendLoop)
    {
        // A close frame still queued (our echo, or our own close) gets a bounded time to reach the wire; the send
        // loop completes the queue itself once the close is written.
        if (_session.Queue.IsClosing)
        {
            await WaitOrAbortAsync(sendLoop).ConfigureAwait(false);
        }

        // The router stops offering this session updates and what its conflation slots held goes back to the pool.
        _services.Handler.End(_session);

        // Releases whatever is still queued and wakes the loop if it is waiting; a loop stuck in a write to a peer
        // that stopped reading is aborted after the same bound.
        _session.Queue.Complete();
        await WaitOrAbortAsync(sendLoop).ConfigureAwait(false);
        await sendLoop.ConfigureAwait(false);
        _session.TrySetCloseReason(DisconnectReasons.ConnectionLost);
        _reader?.Dispose();

        // Exactly once per session: FinishAsync runs once, and the reason is final now (the first one set wins).
        DisconnectReason reason = _session.CloseReason ?? DisconnectReasons.ConnectionLost;
        _services.Metrics.SessionClosed(reason.Code, reason.Name);

        // Returns the pipes' buffers now (a stream wrapper's to the array pool); on the direct path Kestrel completes
        // the transport pipes again when the connection task ends, which is harmless.
        await _input.CompleteAsync().ConfigureAwait(false);
        await _output.CompleteAsync().ConfigureAwait(false);
        _finished = true;
        _services.Sessions.Remove(_session);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Session {Session} ended: {Reason}", _session.Id, _session.CloseReason);
        }
    }

    private async Task WaitOrAbortAsync(Task sendLoop)
    {
        if (sendLoop.IsCompleted)
        {
            return;
        }

        try
        {
            await sendLoop.WaitAsync(TimeSpan.FromMilliseconds(_services.Timing.CloseTimeoutMs)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abort();
        }
    }

    /// <summary>
    /// Whether <paramref name="exception"/>, thrown out of a pipe read, a flush or a socket send, is the connection
    /// ending (and how, by its socket error code: <see cref="SocketErrorClassifier"/>) rather than a bug. After our
    /// own <see cref="Abort"/> anything the torn-down transport throws is the abort.
    /// </summary>
    private bool TryClassifyEnding(Exception exception, out SocketErrorKind kind)
    {
        bool network = SocketErrorClassifier.TryClassify(exception, out kind);
        if (_aborted)
        {
            kind = SocketErrorKind.Abort;
            return true;
        }

        return network;
    }

    /// <summary>
    /// The connection's I/O ended (either loop): the reason is <c>connection_lost</c> unless one was already set (a
    /// slow-consumer or heartbeat abort keeps its own), so logs and the sessions-closed metric agree with
    /// <see cref="DisconnectReasons"/>. A reset or an abort is how connections end and is logged at debug; any other
    /// socket error code is a warning.
    /// </summary>
    private void OnTransportEnded(SocketErrorKind kind, string loop, Exception? exception, SocketError? error = null)
    {
        _session.TrySetCloseReason(DisconnectReasons.ConnectionLost);
        error ??= (exception as SocketException ?? exception?.InnerException as SocketException)?.SocketErrorCode;
        if (kind == SocketErrorKind.Unexpected)
        {
            _logger.LogWarning(exception, "Session {Session}: {Loop} failed with socket error {Error}; closing as {Reason}", _session.Id, loop, error, _session.CloseReason?.Name);
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Session {Session}: {Loop} ended by {Kind} ({Error})", _session.Id, loop, kind == SocketErrorKind.Reset ? "peer reset" : "abort", (object?)error ?? exception?.GetType().Name);
        }
    }
}
