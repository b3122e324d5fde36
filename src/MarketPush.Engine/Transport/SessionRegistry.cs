using System.Diagnostics;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The open sessions of this node, for broadcast, the keepalive scan and shutdown. Connections add themselves after
/// the upgrade and remove themselves when their loops end (any thread).
/// </summary>
/// <remarks>
/// Readers (every broadcast, every keepalive tick) get an array snapshot, rebuilt under the lock only after a change;
/// so iteration allocates nothing and never sees a half-updated set, and a burst of connects costs one rebuild per
/// reader, not one per connect. <see cref="WaitForEmptyAsync"/> lets shutdown wait for the close handshakes.
/// </remarks>
public sealed class SessionRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IStreamSession> _sessions = new(StringComparer.Ordinal);
    private IStreamSession[] _snapshot = [];
    private bool _snapshotStale;
    private TaskCompletionSource? _emptied;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Adds a session; false when its id is already registered.</summary>
    public bool TryAdd(IStreamSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        lock (_lock)
        {
            if (!_sessions.TryAdd(session.Id, session))
            {
                return false;
            }

            _snapshotStale = true;
            return true;
        }
    }

    public bool TryGet(string id, out IStreamSession session)
    {
        lock (_lock)
        {
            return _sessions.TryGetValue(id, out session!);
        }
    }

    public bool Remove(IStreamSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        TaskCompletionSource? emptied = null;
        lock (_lock)
        {
            if (!_sessions.Remove(session.Id))
            {
                return false;
            }

            _snapshotStale = true;
            if (_sessions.Count == 0)
            {
                emptied = _emptied;
                _emptied = null;
            }
        }

        // Completed outside the lock (and with RunContinuationsAsynchronously): the shutdown waiter never runs
        // on a connection's thread while it holds the registry.
        emptied?.TrySetResult();
        return true;
    }

    /// <summary>The sessions open now. Do not modify the array; it is shared until the next change.</summary>
    public IStreamSession[] Snapshot()
    {
        lock (_lock)
        {
            if (_snapshotStale)
            {
                _snapshot = _sessions.Count == 0 ? [] : [.. _sessions.Values];
                _snapshotStale = false;
            }

            Debug.Assert(_snapshot.Length == _sessions.Count);
            return _snapshot;
        }
    }

    /// <summary>Completes with true when no session is left, or false when <paramref name="timeout"/> passes first.</summary>
    public async Task<bool> WaitForEmptyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Task emptied;
        lock (_lock)
        {
            if (_sessions.Count == 0)
            {
                return true;
            }

            _emptied ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            emptied = _emptied.Task;
        }

        try
        {
            await emptied.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
