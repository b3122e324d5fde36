using MarketPush.Engine.Metrics;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The transport's admission state: connection slots under <see cref="StreamOptions.MaxConnections"/>, the
/// shutting-down flag, and how many upgrades each path answered. Both ways in (<see cref="DirectUpgradeMiddleware"/>
/// and <see cref="StreamEndpoint"/>, on request threads) reserve a slot with <see cref="TryReserve"/> before they
/// answer 101, turn it into an open connection with <see cref="Opened"/> once the 101 is committed, and free it with
/// <see cref="Ended"/> when <see cref="Connection.RunAsync"/> returns (or <see cref="CancelReservation"/> if the
/// upgrade failed first). <see cref="StreamServer"/> owns one and flips <see cref="IsShuttingDown"/>; the same count
/// feeds the open-connections gauge and <c>/readyz</c>. Owns only counters; every member is thread-safe.
/// </summary>
public sealed class ConnectionGate
{
    private readonly MarketPushMetrics _metrics;
    private readonly int _maxConnections;
    private volatile bool _shuttingDown;
    private long _directUpgrades;
    private long _httpUpgrades;
    // Reserved slots plus open connections; never above _maxConnections when that is > 0.
    private int _connections;

    /// <param name="maxConnections">0: no limit.</param>
    public ConnectionGate(int maxConnections, MarketPushMetrics metrics)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxConnections);
        ArgumentNullException.ThrowIfNull(metrics);
        _maxConnections = maxConnections;
        _metrics = metrics;
        metrics.SetConnectionLimit(maxConnections);
    }

    /// <summary>WebSocket connections open or being opened (slot reserved, 101 on its way).</summary>
    public int OpenConnections => Volatile.Read(ref _connections);

    /// <summary>True once shutdown began: new handshakes are refused with 503, new sessions close with 1001 at once.</summary>
    public bool IsShuttingDown => _shuttingDown;

    /// <summary>Upgrades answered by <see cref="DirectUpgradeMiddleware"/> (no HTTP request objects kept).</summary>
    public long DirectUpgrades => Interlocked.Read(ref _directUpgrades);

    /// <summary>Upgrades answered by <see cref="StreamEndpoint"/> through Kestrel's HTTP pipeline.</summary>
    public long HttpUpgrades => Interlocked.Read(ref _httpUpgrades);

    /// <summary>
    /// Reserves one slot for an upgrade about to be answered with 101; false when at the limit. Lock-free:
    /// concurrent handshakes race on one compare-and-swap, so the limit holds however many arrive at once. Pair
    /// with <see cref="Opened"/> or <see cref="CancelReservation"/>.
    /// </summary>
    public bool TryReserve()
    {
        int limit = _maxConnections;
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
    public void CancelReservation() => Interlocked.Decrement(ref _connections);

    /// <summary>The 101 for a reserved slot is committed (by the direct path or the HTTP pipeline): the slot is now an open connection.</summary>
    public void Opened(bool direct)
    {
        Interlocked.Increment(ref direct ? ref _directUpgrades : ref _httpUpgrades);
        _metrics.HandshakeCompleted(HandshakeResult.Accepted);
        _metrics.ConnectionOpened();
    }

    /// <summary>The connection's loops have ended (after <see cref="Connection.RunAsync"/>): frees its slot.</summary>
    public void Ended()
    {
        Interlocked.Decrement(ref _connections);
        _metrics.ConnectionClosed();
    }

    /// <summary>From now on handshakes are refused and sessions that register are closed with 1001.</summary>
    internal void BeginShutdown() => _shuttingDown = true;
}
