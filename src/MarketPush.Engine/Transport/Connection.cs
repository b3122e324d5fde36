using MarketPush.Engine.Sessions;
using MarketPush.Protocol.WebSockets;
using MarketPush.Protocol.WebSockets.Deflate;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The physical side of one session: the upgraded Kestrel stream and the activities on it. Created by
/// <see cref="StreamEndpoint"/> after the 101 response; <see cref="RunAsync"/> runs on the request's task until the
/// connection is over.
/// </summary>
/// <remarks>
/// Three activities, one file each: the receive loop (<c>Connection.Receive.cs</c>: zero-byte reads, frame reader,
/// commands, pings, close), the send loop (<c>Connection.Send.cs</c>: drains the session's queue into one write per
/// wake-up), and the keepalive tick from the shared timer (<c>Connection.KeepAlive.cs</c>). Every frame the server
/// writes (data, pong, ping, close) goes through the one <see cref="OutboundQueue"/>, so only the send loop writes
/// and writes never interleave.
/// <para>
/// Owns the stream, the frame reader (and the borrowed inflater), and the abort token. Ending: the receive loop
/// ends on the close handshake, EOF, a protocol violation (after a short drain) or abort; then the send loop gets a
/// bounded time to flush the close frame, the queue is completed (releasing every queued frame), and the session is
/// removed from the registry last, so "no sessions left" means "every frame is back in the pool".
/// </para>
/// </remarks>
internal sealed partial class Connection : ISessionTransport
{
    private readonly HttpContext _context;
    private readonly Stream _stream;
    private readonly Session _session;
    private readonly StreamServer _server;
    private readonly MessageReader _reader;
    private readonly ILogger _logger;
    // Not disposed: it has no timer, and Abort may race with the end of the connection.
    private readonly CancellationTokenSource _aborted = new();
    private volatile bool _finished;

    public Connection(HttpContext context, Stream stream, Session session, StreamServer server, MessageInflater? inflater, ILogger logger)
    {
        _context = context;
        _stream = stream;
        _session = session;
        _server = server;
        _logger = logger;
        _reader = new MessageReader(server.ReaderOptions, inflater);
        long now = server.Time.GetTimestamp();
        _lastReceiveTimestamp = now;
        _lastDataSentTimestamp = now;
        session.AttachTransport(this);
    }

    public Session Session => _session;

    /// <summary>Runs the connection to its end. Never throws for network errors; they end the session as connection_lost.</summary>
    public async Task RunAsync()
    {
        Task sendLoop = SendLoopAsync();
        try
        {
            _server.Sessions.TryAdd(_session);
            _server.CloseIfShuttingDown(_session);
            await ReceiveLoopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDisconnect(ex))
        {
            _session.TrySetCloseReason(DisconnectReasons.ConnectionLost);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Receive loop of {Session} failed", _session.Id);
            _session.Close(DisconnectReasons.InternalError);
        }
        finally
        {
            await FinishAsync(sendLoop).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the connection at once (any thread): pending reads and writes fail and both loops end.</summary>
    public void Abort()
    {
        if (_finished)
        {
            // The request is over and Kestrel may recycle the context: never touch it again.
            return;
        }

        _session.TrySetCloseReason(DisconnectReasons.ConnectionLost);
        _aborted.Cancel();
        try
        {
            _context.Abort();
        }
        catch (ObjectDisposedException)
        {
            // Lost the race with the end of the request (another thread saw _finished still false): nothing to abort.
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

        // Releases whatever is still queued and wakes the loop if it is waiting; a loop stuck in a write to a peer
        // that stopped reading is aborted after the same bound.
        _session.Queue.Complete();
        await WaitOrAbortAsync(sendLoop).ConfigureAwait(false);
        await sendLoop.ConfigureAwait(false);
        _session.TrySetCloseReason(DisconnectReasons.ConnectionLost);
        _reader.Dispose();
        _finished = true;
        _server.Sessions.Remove(_session);
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
            await sendLoop.WaitAsync(TimeSpan.FromMilliseconds(_server.Options.CloseTimeoutMs)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abort();
        }
    }

    // Network-level endings: reset, abort, cancelled I/O. Everything else is a bug worth logging.
    private bool IsDisconnect(Exception ex) =>
        ex is IOException or OperationCanceledException or ObjectDisposedException
            or Microsoft.AspNetCore.Connections.ConnectionAbortedException
            or Microsoft.AspNetCore.Connections.ConnectionResetException
        || _aborted.IsCancellationRequested;
}
