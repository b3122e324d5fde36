using System.IO.Pipelines;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Sessions;
using MarketPush.Protocol.WebSockets;
using MarketPush.Protocol.WebSockets.Deflate;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The transport's composition root: owns the frame pool and builder, the session registry, the command handler,
/// the keepalive timer, the endpoint and the direct-upgrade middleware factory, and runs graceful shutdown. One per process (the host registers it as a
/// singleton); its members are called from request threads, receive/send loops, the timer and the host lifetime.
/// </summary>
/// <remarks>
/// Shutdown (<see cref="ShutdownAsync"/>, idempotent, safe to call from several places): refuse new handshakes, send
/// one shared close 1001 frame to every session, wait up to <see cref="StreamOptions.ShutdownTimeoutMs"/> for their
/// close replies, then abort whoever is left and wait for their loops to finish, so that every frame is back in the
/// pool when it returns.
/// <para>
/// Connection slots (<see cref="StreamOptions.MaxConnections"/>): both ways in reserve a slot with
/// <see cref="TryReserveConnection"/> before they answer 101 (one compare-and-swap, so concurrent handshakes can
/// never overshoot the limit), turn it into an open connection with <see cref="ConnectionOpened"/> once the 101 is
/// committed, and free it with <see cref="ConnectionEnded"/> when <see cref="Connection.RunAsync"/> returns (or with
/// <see cref="CancelReservation"/> if the upgrade failed first). The same count feeds the open-connections gauge and
/// <c>/readyz</c>.
/// </para>
/// </remarks>
public sealed class StreamServer : IAsyncDisposable
{
    private readonly Lock _shutdownLock = new();
    private readonly KeepAliveMonitor _keepAlive;
    private readonly ILogger _logger;
    private Task? _shutdown;
    private volatile bool _shuttingDown;
    private long _directUpgrades;
    private long _httpUpgrades;
    // Reserved slots plus open connections; never above Options.MaxConnections when that is > 0.
    private int _connections;
    private readonly bool _ownsMetrics;

    /// <param name="metrics">The host's instruments (handshakes, open connections, the limit); null: a private, unlistened one.</param>
    public StreamServer(StreamOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, MarketPushMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _ownsMetrics = metrics is null;
        Metrics = metrics ?? new MarketPushMetrics();
        Metrics.SetConnectionLimit(options.MaxConnections);
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Time = timeProvider ?? TimeProvider.System;
        _logger = LoggerFactory.CreateLogger("MarketPush.Transport");
        FramePool = new FramePool();
        Frames = new FrameBuilder(FramePool, options.CompressionThresholdBytes);
        Sessions = new SessionRegistry();
        Messages = new ServerMessages(Frames, options.HeartbeatMs, Time);
        Commands = new CommandHandler(Messages);
        ReaderOptions = new MessageReaderOptions { MaxMessageBytes = options.MaxMessageBytes, ExpectMaskedFrames = true };
        Readers = new MessageReaderPool(ReaderOptions, Inflater);
        HeartbeatTicks = MillisecondsToTicks(options.HeartbeatMs);
        CloseTimeoutTicks = MillisecondsToTicks(options.CloseTimeoutMs);
        _keepAlive = new KeepAliveMonitor(
            Sessions,
            TimeSpan.FromMilliseconds(Math.Max(5, options.HeartbeatMs / 4)),
            Time,
            LoggerFactory.CreateLogger("MarketPush.KeepAlive"));
        Endpoint = new StreamEndpoint(this);

        // Connections upgraded through the HTTP pipeline read and write Kestrel's upgraded stream through these:
        // zero-byte reads first, so an idle connection holds no receive buffer.
        StreamReaderOptions = new StreamPipeReaderOptions(
            bufferSize: options.ReceiveBufferBytes,
            minimumReadSize: Math.Min(1024, options.ReceiveBufferBytes),
            leaveOpen: true,
            useZeroByteReads: true);
        StreamWriterOptions = new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true);
    }

    public StreamOptions Options { get; }

    public FramePool FramePool { get; }

    public FrameBuilder Frames { get; }

    public SessionRegistry Sessions { get; }

    public ServerMessages Messages { get; }

    public CommandHandler Commands { get; }

    public StreamEndpoint Endpoint { get; }

    public KeepAliveMonitor KeepAlive => _keepAlive;

    public TimeProvider Time { get; }

    /// <summary>Where the transport counts handshakes by result and open connections.</summary>
    public MarketPushMetrics Metrics { get; }

    /// <summary>WebSocket connections open or being opened (slot reserved, 101 on its way).</summary>
    public int OpenConnections => Volatile.Read(ref _connections);

    /// <summary>True while <see cref="StreamOptions.MaxConnections"/> is set and every slot is taken: upgrades get 503.</summary>
    public bool IsAtConnectionLimit => Options.MaxConnections > 0 && OpenConnections >= Options.MaxConnections;

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>True once shutdown began: new handshakes are refused with 503, new sessions close with 1001 at once.</summary>
    public bool IsShuttingDown => _shuttingDown;

    /// <summary>Upgrades answered by <see cref="DirectUpgradeMiddleware"/> (no HTTP request objects kept).</summary>
    public long DirectUpgrades => Interlocked.Read(ref _directUpgrades);

    /// <summary>Upgrades answered by <see cref="StreamEndpoint"/> through Kestrel's HTTP pipeline.</summary>
    public long HttpUpgrades => Interlocked.Read(ref _httpUpgrades);

    internal StreamPipeReaderOptions StreamReaderOptions { get; }

    internal StreamPipeWriterOptions StreamWriterOptions { get; }

    internal MessageReaderOptions ReaderOptions { get; }

    /// <summary>Shared by every deflate connection's reader: inflation is stateless per message (client_no_context_takeover).</summary>
    internal MessageInflater Inflater { get; } = new();

    /// <summary>Frame readers lent to connections while they have a message in flight.</summary>
    internal MessageReaderPool Readers { get; }

    internal long HeartbeatTicks { get; }

    internal long CloseTimeoutTicks { get; }

    /// <summary>Starts the keepalive timer.</summary>
    public void Start() => _keepAlive.Start();

    /// <summary>
    /// The Kestrel connection middleware (<c>listenOptions.Use(next => server.UseDirectUpgrade(next))</c>) that
    /// answers valid WebSocket upgrades on new connections itself and hands everything else to
    /// <paramref name="next"/>; see <see cref="DirectUpgradeMiddleware"/>.
    /// </summary>
    public ConnectionDelegate UseDirectUpgrade(ConnectionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return new DirectUpgradeMiddleware(this, next).OnConnectedAsync;
    }

    /// <summary>
    /// Queues <paramref name="message"/> on every open session (each gets its variant: compressed or plain). Returns
    /// how many sessions accepted it. The caller still owns and disposes the message.
    /// </summary>
    public int Broadcast(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int accepted = 0;
        foreach (Session session in Sessions.Snapshot())
        {
            if (session.TryEnqueue(message) == EnqueueResult.Enqueued)
            {
                accepted++;
            }
        }

        return accepted;
    }

    /// <summary>Graceful shutdown; the first call starts it, every call returns the same task.</summary>
    public Task ShutdownAsync()
    {
        lock (_shutdownLock)
        {
            return _shutdown ??= ShutdownCoreAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync().ConfigureAwait(false);
        Frames.Dispose();
        Inflater.Dispose();
        if (_ownsMetrics)
        {
            Metrics.Dispose();
        }
    }

    /// <summary>Closes a session that registered after shutdown began (it missed the broadcast close).</summary>
    internal void CloseIfShuttingDown(Session session)
    {
        if (_shuttingDown)
        {
            session.Close(DisconnectReasons.ServerShutdown);
        }
    }

    /// <summary>
    /// Reserves one connection slot for an upgrade about to be answered with 101; false when at
    /// <see cref="StreamOptions.MaxConnections"/>. Lock-free: concurrent handshakes race on one compare-and-swap,
    /// so the limit holds however many arrive at once. Pair with <see cref="ConnectionOpened"/> or
    /// <see cref="CancelReservation"/>.
    /// </summary>
    internal bool TryReserveConnection()
    {
        int limit = Options.MaxConnections;
        if (limit == 0)
        {
            Interlocked.Increment(ref _connections);
            return true;
        }

        int current = Volatile.Read(ref _connections);
        while (current < limit)
        {
            int seen = Interlocked.CompareExchange(ref _connections, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>The upgrade failed before its 101 was committed: frees the reserved slot, counts nothing.</summary>
    internal void CancelReservation() => Interlocked.Decrement(ref _connections);

    /// <summary>The 101 for a reserved slot is committed: the slot is now an open connection.</summary>
    internal void ConnectionOpened() => Metrics.ConnectionOpened();

    /// <summary>The connection's loops have ended (after <see cref="Connection.RunAsync"/>): frees its slot.</summary>
    internal void ConnectionEnded()
    {
        Interlocked.Decrement(ref _connections);
        Metrics.ConnectionClosed();
    }

    internal void CountDirectUpgrade() => Interlocked.Increment(ref _directUpgrades);

    internal void CountHttpUpgrade() => Interlocked.Increment(ref _httpUpgrades);

    internal long MillisecondsToTicks(long milliseconds) => milliseconds * Time.TimestampFrequency / 1000;

    private async Task ShutdownCoreAsync()
    {
        // First thing: return to ShutdownAsync, which holds its lock, before closing any session.
        await Task.Yield();
        _shuttingDown = true;
        Session[] sessions = Sessions.Snapshot();
        if (sessions.Length > 0)
        {
            _logger.LogInformation("Shutting down: closing {Count} session(s) with 1001", sessions.Length);
            SharedFrame close = Frames.BuildCloseFrame(CloseCodes.GoingAway, DisconnectReasons.ServerShutdown.Description);
            try
            {
                foreach (Session session in sessions)
                {
                    session.Close(DisconnectReasons.ServerShutdown, close);
                }
            }
            finally
            {
                close.Release();
            }
        }

        bool clean = await Sessions.WaitForEmptyAsync(TimeSpan.FromMilliseconds(Options.ShutdownTimeoutMs)).ConfigureAwait(false);
        if (!clean)
        {
            Session[] left = Sessions.Snapshot();
            _logger.LogWarning("Shutdown timeout: aborting {Count} session(s) that did not finish the close handshake", left.Length);
            foreach (Session session in left)
            {
                try
                {
                    session.Abort();
                }
                catch (Exception ex)
                {
                    // Shutdown must go on for the others.
                    _logger.LogWarning(ex, "Aborting session {Session} failed", session.Id);
                }
            }

            if (!await Sessions.WaitForEmptyAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
            {
                _logger.LogError("{Count} session(s) still open after abort", Sessions.Count);
            }
        }

        await _keepAlive.DisposeAsync().ConfigureAwait(false);
    }
}
