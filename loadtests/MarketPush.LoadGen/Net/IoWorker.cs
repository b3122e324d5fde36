using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MarketPush.LoadGen.Measure;
using MarketPush.LoadGen.Options;
using MarketPush.LoadGen.Runner;
using MarketPush.Protocol.WebSockets;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.LoadGen.Net;

/// <summary>
/// One I/O thread of the runner: an epoll instance and every connection whose global index is congruent to this
/// worker's index modulo the worker count. The thread does everything for its connections (connect, handshake, read,
/// reply to pings, subscribe, close), so no connection state is shared and nothing is locked per message.
/// </summary>
/// <remarks>
/// <para>Cost per message is what decides whether the runner measures the server or itself: sockets are level-triggered,
/// each readable socket gets one 64 KiB recv per wake-up into one shared pinned buffer (hundreds of quotes per
/// syscall), the frames go through the project's <see cref="MessageReader"/> and the quotes through
/// <see cref="QuoteScanner"/> (span searches, no JSON parse). The only bytes a connection keeps between reads are an
/// incomplete frame header (the reader consumes payload as it arrives).</para>
/// <para>Threading: the control thread only sets <see cref="DesiredConnections"/> and <see cref="RequestStop"/>, and reads
/// <see cref="Stats"/> counters for the progress line; histograms and dictionaries are read after <see cref="Join"/>.</para>
/// </remarks>
internal sealed unsafe partial class IoWorker : IDisposable
{
    private const int ReceiveBufferSize = 64 * 1024;
    private const int MaxEvents = 256;
    private const int EpollTimeoutMs = 10;
    private const int SweepIntervalMs = 50;
    private const int HandshakeTimeoutMs = 10_000;
    private const int CloseTimeoutMs = 2_000;
    private const int StopGraceMs = 1_500;

    private static readonly MessageReaderOptions s_readerOptions = new() { MaxMessageBytes = 1 << 20, ExpectMaskedFrames = false };

    private readonly int _index;
    private readonly int _workerCount;
    private readonly ScenarioPlan _plan;
    private readonly RunClock _clock;
    private readonly TimelineAggregator _timeline;
    private readonly MessageInflater? _inflater;
    private readonly byte[] _receiveBuffer;
    private readonly byte* _receivePointer;
    private readonly byte[] _events;
    private readonly byte* _eventsPointer;
    private readonly byte[] _sendScratch = new byte[64 * 1024];
    private readonly List<ClientConnection?> _slots = [];
    private readonly Queue<int> _connectQueue = new();
    private readonly List<int> _retries = [];
    private readonly Thread _thread;
    private readonly int _epfd;
    private readonly long _sweepTicks = Stopwatch.Frequency * SweepIntervalMs / 1000;
    private readonly bool _churn;

    private volatile int _desiredConnections;
    private volatile bool _stopRequested;
    private int _wantedOrdinals;
    private int _inFlight;
    private bool _stopping;
    private long _stopDeadline;
    private long _nextSweep;
    private uint _maskState;
    private Exception? _failure;

    // The per-second series: what this worker received since the start of _currentSecond.
    private readonly LatencyHistogram _interval = new();
    private long _intervalQuotes;
    private long _intervalBytes;
    private int _currentSecond;

    public IoWorker(int index, int workerCount, ScenarioPlan plan, RunClock clock, TimelineAggregator timeline)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _index = index;
        _workerCount = workerCount;
        _plan = plan;
        _clock = clock;
        _timeline = timeline;
        _churn = plan.Scenario == ScenarioKind.Churn;
        _inflater = plan.OffersDeflate ? new MessageInflater() : null;
        _maskState = (uint)(0x9E3779B9 * (index + 1));

        // Pinned for the worker's lifetime: recv and epoll_wait write into them through raw pointers.
        _receiveBuffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferSize + 16, pinned: true);
        _receivePointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_receiveBuffer));
        _events = GC.AllocateUninitializedArray<byte>(MaxEvents * 16, pinned: true);
        _eventsPointer = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_events));

        _epfd = Libc.EpollCreate1(Libc.SockCloexec);
        if (_epfd < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = $"loadgen-io-{index}" };
    }

    public WorkerStats Stats { get; } = new();

    /// <summary>The exception that stopped the worker, if any (reported by the runner, never swallowed).</summary>
    public Exception? Failure => _failure;

    /// <summary>Set by the control thread: total connections wanted across all workers; this worker takes its share.</summary>
    public int DesiredConnections
    {
        get => _desiredConnections;
        set => _desiredConnections = value;
    }

    public void Start() => _thread.Start();

    /// <summary>Asks the worker to close its connections (close 1000, bounded wait) and exit.</summary>
    public void RequestStop() => _stopRequested = true;

    public bool Join(TimeSpan timeout) => _thread.Join(timeout);

    public void Dispose()
    {
        if (!_thread.IsAlive)
        {
            foreach (ClientConnection? connection in _slots)
            {
                if (connection is not null && connection.Fd >= 0)
                {
                    CloseSocket(connection, abortive: true);
                }
            }

            Libc.Close(_epfd);
            _inflater?.Dispose();
        }
    }

    private void Run()
    {
        try
        {
            Loop();
        }
        catch (Exception ex)
        {
            _failure = ex;
            foreach (ClientConnection? connection in _slots)
            {
                if (connection is not null && connection.Fd >= 0)
                {
                    CloseSocket(connection, abortive: true);
                }
            }
        }
    }

    private void Loop()
    {
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (!_stopping && _stopRequested)
            {
                BeginStop(now);
            }

            if (_stopping && (CountLiveSockets() == 0 || now >= _stopDeadline))
            {
                AbortAll();
                AdvanceSecond(now, final: true);
                return;
            }

            if (!_stopping)
            {
                ApplyDesiredConnections(now);
                StartQueuedConnects(now);
            }

            if (now >= _nextSweep)
            {
                Sweep(now);
                _nextSweep = now + _sweepTicks;
            }

            AdvanceSecond(now, final: false);

            int count = Libc.EpollWait(_epfd, _eventsPointer, MaxEvents, EpollTimeoutMs);
            if (count < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EIntr)
                {
                    continue;
                }

                throw new InvalidOperationException($"epoll_wait failed (errno {errno})");
            }

            int size = Libc.EpollEventSize;
            int dataOffset = Libc.EpollEventDataOffset;
            for (int i = 0; i < count; i++)
            {
                byte* entry = _eventsPointer + (i * size);
                uint events = Unsafe.ReadUnaligned<uint>(entry);
                ulong data = Unsafe.ReadUnaligned<ulong>(entry + dataOffset);
                int ordinal = (int)(uint)data;
                uint generation = (uint)(data >> 32);
                ClientConnection? connection = ordinal < _slots.Count ? _slots[ordinal] : null;
                if (connection is null || connection.Fd < 0 || connection.Generation != generation)
                {
                    continue; // the socket this event was for has been closed since
                }

                HandleEvents(connection, events);
            }
        }
    }

    private void HandleEvents(ClientConnection connection, uint events)
    {
        switch (connection.State)
        {
            case ConnectionState.Connecting:
                if ((events & (Libc.EpollOut | Libc.EpollErr | Libc.EpollHup)) != 0)
                {
                    OnConnectCompleted(connection);
                }

                return;
            case ConnectionState.Slow:
                // A slow reader only writes what it still owes (a pong) and watches for the server hanging up; then it
                // drains to learn the close code.
                if ((events & Libc.EpollOut) != 0 && connection.OutboxLength > 0 && !FlushOutbox(connection))
                {
                    return;
                }

                if ((events & (Libc.EpollRdHup | Libc.EpollHup | Libc.EpollErr)) != 0)
                {
                    connection.State = ConnectionState.SlowDraining;
                    Stats.SlowClosedByServer++;
                    UpdateInterest(connection);
                }

                return;
        }

        if ((events & Libc.EpollOut) != 0 && connection.OutboxLength > 0 && !FlushOutbox(connection))
        {
            return;
        }

        if ((events & (Libc.EpollIn | Libc.EpollRdHup | Libc.EpollHup | Libc.EpollErr)) != 0)
        {
            if (connection.State == ConnectionState.Handshaking)
            {
                ReadHandshake(connection);
            }
            else
            {
                ReadFrames(connection);
            }
        }
    }

    /// <summary>Opens or retires connections so this worker holds its share of <see cref="DesiredConnections"/>.</summary>
    private void ApplyDesiredConnections(long now)
    {
        int desired = _desiredConnections;
        int wanted = desired <= _index ? 0 : ((desired - _index + _workerCount - 1) / _workerCount);
        if (wanted == _wantedOrdinals)
        {
            return;
        }

        for (int ordinal = _wantedOrdinals; ordinal < wanted; ordinal++)
        {
            ClientConnection? existing = ordinal < _slots.Count ? _slots[ordinal] : null;
            if (existing is null || (existing.State == ConnectionState.Closed && existing.ClosedByRunner))
            {
                NewConnection(ordinal, now);
            }
        }

        for (int ordinal = wanted; ordinal < _wantedOrdinals && ordinal < _slots.Count; ordinal++)
        {
            ClientConnection? connection = _slots[ordinal];
            if (connection is not null)
            {
                connection.Retired = true;
                RetireConnection(connection, now);
            }
        }

        _wantedOrdinals = wanted;
    }

    private void NewConnection(int ordinal, long now)
    {
        int globalIndex = _index + (ordinal * _workerCount);
        var connection = new ClientConnection(
            ordinal,
            globalIndex,
            _plan.GetSymbolStart(globalIndex),
            _plan.GetSymbolCount(globalIndex),
            _plan.IsSlow(globalIndex))
        {
            State = ConnectionState.Pending,
            DeadlineAt = now,
        };
        while (_slots.Count <= ordinal)
        {
            _slots.Add(null);
        }

        ClientConnection? previous = _slots[ordinal];
        if (previous is not null)
        {
            connection.Generation = previous.Generation + 1;
        }

        _slots[ordinal] = connection;
        _connectQueue.Enqueue(ordinal);
    }

    /// <summary>Ramp-down or end of run: an open connection says goodbye (close 1000); anything else is just dropped.</summary>
    private void RetireConnection(ClientConnection connection, long now)
    {
        switch (connection.State)
        {
            case ConnectionState.Open:
                BeginRunnerClose(connection, now);
                break;
            case ConnectionState.Closing or ConnectionState.AwaitingEof or ConnectionState.Closed:
                break;
            case ConnectionState.Pending:
                connection.State = ConnectionState.Closed;
                connection.ClosedByRunner = true;
                break;
            default:
                // Connecting, handshaking or a slow reader with a full receive queue: nothing to say goodbye with.
                if (connection.State is ConnectionState.Connecting or ConnectionState.Handshaking)
                {
                    _inFlight--;
                }

                connection.ClosedByRunner = true;
                CloseSocket(connection, abortive: true);
                break;
        }
    }

    private void StartQueuedConnects(long now)
    {
        while (_inFlight < _plan.Options.ConnectConcurrency && _connectQueue.Count > 0)
        {
            int ordinal = _connectQueue.Dequeue();
            ClientConnection? connection = _slots[ordinal];
            if (connection is null || connection.State != ConnectionState.Pending || connection.Retired)
            {
                continue;
            }

            StartConnect(connection, now);
        }
    }

    /// <summary>Timers: handshake and close timeouts, churn holds, client pings, connect retries.</summary>
    private void Sweep(long now)
    {
        for (int i = _retries.Count - 1; i >= 0; i--)
        {
            ClientConnection? connection = _slots[_retries[i]];
            if (connection is null || connection.State != ConnectionState.Pending || connection.Retired)
            {
                _retries.RemoveAt(i);
            }
            else if (now >= connection.DeadlineAt && !_stopping)
            {
                _connectQueue.Enqueue(_retries[i]);
                _retries.RemoveAt(i);
            }
        }

        for (int i = 0; i < _slots.Count; i++)
        {
            ClientConnection? connection = _slots[i];
            if (connection is null)
            {
                continue;
            }

            switch (connection.State)
            {
                case ConnectionState.Connecting or ConnectionState.Handshaking when now >= connection.DeadlineAt:
                    Stats.HandshakeTimeouts++;
                    CloseSocket(connection, abortive: true);
                    _inFlight--;
                    ScheduleRetry(connection, now, 1_000);
                    break;
                case ConnectionState.Closing or ConnectionState.AwaitingEof when now >= connection.DeadlineAt:
                    CloseSocket(connection, abortive: true);
                    AfterClose(connection, now);
                    break;
                case ConnectionState.Open when connection.Ready:
                    if (_churn && _plan.HoldTicks > 0 && now >= connection.DeadlineAt)
                    {
                        BeginRunnerClose(connection, now);
                    }
                    else if (_plan.PingTicks > 0 && now >= connection.NextPingAt)
                    {
                        SendPing(connection, now);
                        connection.NextPingAt += _plan.PingTicks;
                        if (connection.NextPingAt <= now)
                        {
                            connection.NextPingAt = now + _plan.PingTicks;
                        }
                    }

                    break;
            }
        }
    }

    private void ScheduleRetry(ClientConnection connection, long now, int delayMs)
    {
        if (_stopping || connection.Retired)
        {
            connection.State = ConnectionState.Closed;
            connection.ClosedByRunner = true;
            return;
        }

        connection.State = ConnectionState.Pending;
        connection.DeadlineAt = now + (Stopwatch.Frequency * delayMs / 1000);
        _retries.Add(connection.Ordinal);
    }

    private void BeginStop(long now)
    {
        _stopping = true;
        _stopDeadline = now + (Stopwatch.Frequency * StopGraceMs / 1000);
        _connectQueue.Clear();
        _retries.Clear();
        foreach (ClientConnection? connection in _slots)
        {
            if (connection is not null)
            {
                connection.Retired = true;
                RetireConnection(connection, now);
            }
        }
    }

    private void AbortAll()
    {
        foreach (ClientConnection? connection in _slots)
        {
            if (connection is not null && connection.Fd >= 0)
            {
                connection.ClosedByRunner = true;
                CloseSocket(connection, abortive: true);
            }
        }
    }

    private int CountLiveSockets()
    {
        int live = 0;
        foreach (ClientConnection? connection in _slots)
        {
            if (connection is not null && connection.Fd >= 0)
            {
                live++;
            }
        }

        return live;
    }

    /// <summary>Hands every finished second to the timeline (a few lock acquisitions per second, never per message).</summary>
    private void AdvanceSecond(long now, bool final)
    {
        int second = (int)((now - _clock.Start) / RunClock.TicksPerSecond);
        if (final)
        {
            second++;
        }

        while (_currentSecond < second)
        {
            _timeline.Flush(_currentSecond, _interval, _intervalQuotes, _intervalBytes);
            _interval.Reset();
            _intervalQuotes = 0;
            _intervalBytes = 0;
            _currentSecond++;
        }
    }

    /// <summary>Sets the epoll interest from the state: what a connection waits for decides what wakes it.</summary>
    private void UpdateInterest(ClientConnection connection)
    {
        uint events = connection.State switch
        {
            ConnectionState.Connecting => Libc.EpollOut | Libc.EpollIn | Libc.EpollRdHup,
            ConnectionState.Slow => Libc.EpollRdHup,
            _ => Libc.EpollIn | Libc.EpollRdHup,
        };
        if (connection.OutboxLength > 0)
        {
            events |= Libc.EpollOut;
        }

        if (events == connection.Interest)
        {
            return;
        }

        ulong data = ((ulong)connection.Generation << 32) | (uint)connection.Ordinal;
        int op = connection.Interest == 0 ? Libc.EpollCtlAdd : Libc.EpollCtlMod;
        if (Libc.EpollControl(_epfd, op, connection.Fd, events, data) != 0)
        {
            throw new InvalidOperationException($"epoll_ctl failed (errno {Marshal.GetLastPInvokeError()})");
        }

        connection.Interest = events;
    }

    private uint NextMaskKey()
    {
        // xorshift32: masking keys only have to be unpredictable to proxies (RFC 6455 §10.3); none are on loopback.
        uint x = _maskState;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _maskState = x;
        return x;
    }
}
