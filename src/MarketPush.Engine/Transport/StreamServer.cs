using System.IO.Pipelines;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;
using MarketPush.Protocol.WebSockets;
using MarketPush.Protocol.WebSockets.Deflate;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The transport stage, last on the data path: built by the composition root from the session factory and the
/// shared services below it, it builds the endpoint (<see cref="StreamEndpoint"/>), the direct-upgrade middleware
/// factory, the keepalive timer and the <see cref="ConnectionServices"/> every <see cref="Connection"/> gets, and runs
/// graceful shutdown. One per process; its members are called from request threads, the timer and the host lifetime.
/// Owns the session registry, the connection gate, the frame-reader pool and the shared inflater; not the frame
/// builder or the session layer (the composition root does). Knows sessions only as <see cref="IStreamSession"/>.
/// </summary>
/// <remarks>
/// Shutdown (<see cref="ShutdownAsync"/>, idempotent, safe to call from several places): refuse new handshakes, send
/// one shared close 1001 frame to every session, wait up to <see cref="StreamOptions.ShutdownTimeoutMs"/> for their
/// close replies, then abort whoever is left and wait for their loops to finish, so that every frame is back in the
/// pool when it returns.
/// <para>
/// Connection slots (<see cref="StreamOptions.MaxConnections"/>) are kept by the <see cref="ConnectionGate"/>; the same
/// count feeds the open-connections gauge and <c>/readyz</c>.
/// </para>
/// </remarks>
public sealed class StreamServer : IAsyncDisposable
{
    private readonly Lock _shutdownLock = new();
    private readonly KeepAliveMonitor _keepAlive;
    private readonly ILogger _logger;
    private Task? _shutdown;
    private readonly bool _ownsMetrics;

    /// <param name="frames">The shared frame builder (its pool is the server's <see cref="FramePool"/>): control frames.</param>
    /// <param name="sessions">The session layer: opens each accepted connection's session, runs its commands.</param>
    /// <param name="metrics">The host's instruments (handshakes, open connections, the limit); null: a private, unlistened one.</param>
    public StreamServer(
        StreamOptions options,
        FrameBuilder frames,
        ISessionHandler sessions,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        MarketPushMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(sessions);
        options.Validate();
        Options = options;
        _ownsMetrics = metrics is null;
        Metrics = metrics ?? new MarketPushMetrics();
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Time = timeProvider ?? TimeProvider.System;
        _logger = LoggerFactory.CreateLogger("MarketPush.Transport");
        Frames = frames;
        Handler = sessions;
        Sessions = new SessionRegistry();
        Gate = new ConnectionGate(options.MaxConnections, Metrics);
        var readerOptions = new MessageReaderOptions { MaxMessageBytes = options.MaxMessageBytes, ExpectMaskedFrames = true };
        Readers = new MessageReaderPool(readerOptions, Inflater);
        _keepAlive = new KeepAliveMonitor(
            Sessions,
            TimeSpan.FromMilliseconds(Math.Max(5, options.HeartbeatMs / 4)),
            Time,
            LoggerFactory.CreateLogger("MarketPush.KeepAlive"));

        // Connections upgraded through the HTTP pipeline read and write Kestrel's upgraded stream through these:
        // zero-byte reads first, so an idle connection holds no receive buffer.
        var streamReaderOptions = new StreamPipeReaderOptions(
            bufferSize: options.ReceiveBufferBytes,
            minimumReadSize: Math.Min(1024, options.ReceiveBufferBytes),
            leaveOpen: true,
            useZeroByteReads: true);
        var streamWriterOptions = new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true);
        ConnectionServices = new ConnectionServices(
            frames,
            sessions,
            Sessions,
            Gate,
            Readers,
            Metrics,
            Time,
            new ConnectionTiming(
                MillisecondsToTicks(options.HeartbeatMs),
                MillisecondsToTicks(options.CloseTimeoutMs),
                options.CloseTimeoutMs,
                _keepAlive.IntervalTicks),
            streamReaderOptions,
            streamWriterOptions,
            options.SocketWriteMode);
        Endpoint = new StreamEndpoint(options, sessions, Gate, ConnectionServices, LoggerFactory.CreateLogger("MarketPush.Transport.Connection"));
    }

    public StreamOptions Options { get; }

    public FramePool FramePool => Frames.Pool;

    public FrameBuilder Frames { get; }

    public SessionRegistry Sessions { get; }

    /// <summary>The session layer this transport carries.</summary>
    public ISessionHandler Handler { get; }

    public StreamEndpoint Endpoint { get; }

    /// <summary>Connection slots, the shutting-down flag and the upgrade counts.</summary>
    public ConnectionGate Gate { get; }

    public KeepAliveMonitor KeepAlive => _keepAlive;

    public TimeProvider Time { get; }

    /// <summary>Where the transport counts handshakes by result and open connections.</summary>
    public MarketPushMetrics Metrics { get; }

    /// <summary>WebSocket connections open or being opened (slot reserved, 101 on its way).</summary>
    public int OpenConnections => Gate.OpenConnections;

    public ILoggerFactory LoggerFactory { get; }

    /// <summary>True once shutdown began: new handshakes are refused with 503, new sessions close with 1001 at once.</summary>
    public bool IsShuttingDown => Gate.IsShuttingDown;

    /// <summary>Upgrades answered by <see cref="DirectUpgradeMiddleware"/> (no HTTP request objects kept).</summary>
    public long DirectUpgrades => Gate.DirectUpgrades;

    /// <summary>Upgrades answered by <see cref="StreamEndpoint"/> through Kestrel's HTTP pipeline.</summary>
    public long HttpUpgrades => Gate.HttpUpgrades;

    /// <summary>What each connection uses (tests build connections over it).</summary>
    internal ConnectionServices ConnectionServices { get; }

    /// <summary>Shared by every deflate connection's reader: inflation is stateless per message (client_no_context_takeover).</summary>
    internal MessageInflater Inflater { get; } = new();

    /// <summary>Frame readers lent to connections while they have a message in flight.</summary>
    internal MessageReaderPool Readers { get; }

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
        return new DirectUpgradeMiddleware(Options, Endpoint, Gate, next).OnConnectedAsync;
    }

    /// <summary>
    /// Queues <paramref name="message"/> on every open session (each gets its variant: compressed or plain). Returns
    /// how many sessions accepted it. The caller still owns and disposes the message.
    /// </summary>
    public int Broadcast(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        int accepted = 0;
        foreach (IStreamSession session in Sessions.Snapshot())
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
        Inflater.Dispose();
        if (_ownsMetrics)
        {
            Metrics.Dispose();
        }
    }

    private long MillisecondsToTicks(long milliseconds) => milliseconds * Time.TimestampFrequency / 1000;

    private async Task ShutdownCoreAsync()
    {
        // First thing: return to ShutdownAsync, which holds its lock, before closing any session.
        await Task.Yield();
        Gate.BeginShutdown();
        IStreamSession[] sessions = Sessions.Snapshot();
        if (sessions.Length > 0)
        {
            _logger.LogInformation("Shutting down: closing {Count} session(s) with 1001", sessions.Length);
            SharedFrame close = Frames.BuildCloseFrame(CloseCodes.GoingAway, DisconnectReasons.ServerShutdown.Description);
            try
            {
                foreach (IStreamSession session in sessions)
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
            IStreamSession[] left = Sessions.Snapshot();
            _logger.LogWarning("Shutdown timeout: aborting {Count} session(s) that did not finish the close handshake", left.Length);
            foreach (IStreamSession session in left)
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
