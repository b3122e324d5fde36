using System.Diagnostics;
using System.Threading.Tasks.Sources;
using MarketPush.Engine.Buffers;

namespace MarketPush.Engine.Transport;

/// <summary>
/// A session's outbound frames between the producers (router, command handler, keepalive, shutdown: any thread) and
/// the connection's single send loop. Bounded by frame count and bytes so nobody ever waits for a slow session: a
/// full queue answers <see cref="EnqueueResult.Overflow"/> immediately. Owns one reference per queued
/// <see cref="SharedFrame"/>; the send loop takes it over with <see cref="TryDequeue"/>.
/// </summary>
/// <remarks>
/// Three lanes, drained in priority order so writes never interleave and liveness never waits behind data:
/// the close frame (one slot; once a close is queued nothing else is accepted, and the send loop stops after writing
/// it), control frames (ping/pong, small cap), then data frames in FIFO order. The queue's bounds apply to data only.
/// <para>
/// The send loop waits with <see cref="WaitAsync"/>, a reusable <see cref="IValueTaskSource{TResult}"/> (no Task per
/// wake-up). Producers complete it outside the lock, asynchronously, so a router thread never runs a send loop
/// inline. Rings start tiny and grow on demand, so an idle session holds a few dozen bytes of queue.
/// </para>
/// </remarks>
public sealed class OutboundQueue
{
    public const int DefaultMaxFrames = 1024;
    public const long DefaultMaxBytes = 1024 * 1024;
    public const int DefaultMaxControlFrames = 16;

    private readonly Lock _lock = new();
    private readonly Waiter _waiter = new();
    private readonly int _maxFrames;
    private readonly long _maxBytes;
    private readonly int _maxControlFrames;
    private Ring _data = new(4);
    private Ring _control = new(2);
    private SharedFrame? _close;
    private long _bytes;
    private bool _closeQueued;
    private bool _closeAfterData;
    private bool _completed;
    private bool _waiterArmed;
    private long _overflows;
    private long _controlDrops;
    private Action? _drained;

    public OutboundQueue(int maxFrames = DefaultMaxFrames, long maxBytes = DefaultMaxBytes, int maxControlFrames = DefaultMaxControlFrames)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrames, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxControlFrames, 1);
        _maxFrames = maxFrames;
        _maxBytes = maxBytes;
        _maxControlFrames = maxControlFrames;
    }

    public int MaxFrames => _maxFrames;

    public long MaxBytes => _maxBytes;

    /// <summary>Queued data frames (control and close not included).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _data.Count;
            }
        }
    }

    /// <summary>
    /// Every frame the send loop could dequeue now (close + control + data); the send loop records it at each wake-up
    /// as the queue-depth histogram. One uncontended lock, once per write, not per frame.
    /// </summary>
    public int PendingFrames
    {
        get
        {
            lock (_lock)
            {
                return _data.Count + _control.Count + (_close is null ? 0 : 1);
            }
        }
    }

    /// <summary>Bytes of queued data frames.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Bytes of everything the send loop could dequeue now (close + control + data); sizes its write buffer.</summary>
    public long PendingBytes
    {
        get
        {
            lock (_lock)
            {
                long total = _bytes + _control.Bytes;
                return _close is null ? total : total + _close.Length;
            }
        }
    }

    /// <summary>Data frames refused because the queue was full.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Ping/pong frames refused because the control lane was full (a client flooding pings without reading).</summary>
    public long ControlDrops => Interlocked.Read(ref _controlDrops);

    /// <summary>True once a close frame was queued or the queue completed: no more frames are accepted.</summary>
    public bool IsClosing
    {
        get
        {
            lock (_lock)
            {
                return _closeQueued || _completed;
            }
        }
    }

    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    /// <summary>Queues a data frame, taking a reference on success; refuses at once when full or closing.</summary>
    public EnqueueResult TryEnqueue(SharedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        bool wake;
        lock (_lock)
        {
            AssertInvariants();
            if (_closeQueued || _completed)
            {
                return EnqueueResult.Closed;
            }

            if (_data.Count >= _maxFrames || _bytes + frame.Length > _maxBytes)
            {
                _overflows++;
                return EnqueueResult.Overflow;
            }

            frame.AddRef();
            _data.Push(frame, _maxFrames);
            _bytes += frame.Length;
            wake = TakeWaiter();
        }

        if (wake)
        {
            _waiter.Signal(true);
        }

        return EnqueueResult.Enqueued;
    }

    /// <summary>Queues a ping or pong ahead of data, taking a reference on success.</summary>
    public EnqueueResult TryEnqueueControl(SharedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        bool wake;
        lock (_lock)
        {
            AssertInvariants();
            if (_closeQueued || _completed)
            {
                return EnqueueResult.Closed;
            }

            if (_control.Count >= _maxControlFrames)
            {
                _controlDrops++;
                return EnqueueResult.Dropped;
            }

            frame.AddRef();
            _control.Push(frame, _maxControlFrames);
            wake = TakeWaiter();
        }

        if (wake)
        {
            _waiter.Signal(true);
        }

        return EnqueueResult.Enqueued;
    }

    /// <summary>
    /// Queues the close frame, ahead of everything else (or, with <paramref name="afterQueuedData"/>, behind what is
    /// already queued: a 1008 for too many bad commands goes after the error replies that explain it), taking a
    /// reference. Nothing is accepted after it either way. Only the first close counts: returns false when a close
    /// was already queued or the queue completed.
    /// </summary>
    public bool TryEnqueueClose(SharedFrame frame, bool afterQueuedData = false)
    {
        ArgumentNullException.ThrowIfNull(frame);
        bool wake;
        lock (_lock)
        {
            AssertInvariants();
            if (_closeQueued || _completed)
            {
                return false;
            }

            frame.AddRef();
            _close = frame;
            _closeQueued = true;
            _closeAfterData = afterQueuedData;
            wake = TakeWaiter();
        }

        if (wake)
        {
            _waiter.Signal(true);
        }

        return true;
    }

    /// <summary>
    /// Send loop only: takes the next frame (close, then control, then data) if it is at most
    /// <paramref name="maxLength"/> bytes; the caller now owns its reference.
    /// </summary>
    public bool TryDequeue(int maxLength, out SharedFrame frame)
    {
        lock (_lock)
        {
            AssertInvariants();
            if (_close is not null && !(_closeAfterData && (_control.Count > 0 || _data.Count > 0)))
            {
                if (_close.Length > maxLength)
                {
                    frame = null!;
                    return false;
                }

                frame = _close;
                _close = null;
                return true;
            }

            if (_control.Count > 0)
            {
                if (_control.PeekLength() > maxLength)
                {
                    frame = null!;
                    return false;
                }

                frame = _control.Pop();
                return true;
            }

            if (_data.Count > 0 && _data.PeekLength() <= maxLength)
            {
                frame = _data.Pop();
                _bytes -= frame.Length;
                return true;
            }
        }

        frame = null!;
        return false;
    }

    /// <summary>
    /// Registers the owner of this session's conflation slots (<see cref="ConflatingDelivery.OnDrained"/>): the send loop
    /// runs it each time it comes back for more, i.e. after every completed write, before it waits. That is when
    /// updates held back while the queue was at its bound can move in. Set once, before the session sees traffic.
    /// </summary>
    public void SetDrainedCallback(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (Interlocked.CompareExchange(ref _drained, callback, null) is not null)
        {
            throw new InvalidOperationException("The queue already has a drained callback.");
        }
    }

    /// <summary>
    /// Send loop only (one waiter at a time): completes with true when a frame can be dequeued, false once the queue
    /// is completed. Allocation-free when it has to wait. Runs the drained callback first, outside the lock (it
    /// enqueues).
    /// </summary>
    public ValueTask<bool> WaitAsync()
    {
        Volatile.Read(ref _drained)?.Invoke();
        lock (_lock)
        {
            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            if (_close is not null || _control.Count > 0 || _data.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            Debug.Assert(!_waiterArmed, "OutboundQueue.WaitAsync supports one waiter.");
            _waiterArmed = true;
            return _waiter.Arm();
        }
    }

    /// <summary>
    /// Stops the queue for good: refuses new frames, releases every queued reference and wakes the send loop with
    /// false. Idempotent; called when the close frame went out or the connection ended.
    /// </summary>
    public void Complete()
    {
        SharedFrame? close;
        Ring data;
        Ring control;
        bool wake;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            close = _close;
            _close = null;
            data = _data;
            control = _control;
            _data = new Ring(0);
            _control = new Ring(0);
            _bytes = 0;
            wake = TakeWaiter();
        }

        // Released outside the lock: releasing returns buffers to the pool, which has its own lock.
        close?.Release();
        control.ReleaseAll();
        data.ReleaseAll();
        if (wake)
        {
            _waiter.Signal(false);
        }
    }

    private bool TakeWaiter()
    {
        bool armed = _waiterArmed;
        _waiterArmed = false;
        return armed;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_lock.IsHeldByCurrentThread);
        Debug.Assert(_bytes >= 0 && _bytes <= _maxBytes, "byte count within bounds");
        Debug.Assert(_data.Count <= _maxFrames, "frame count within bounds");
        Debug.Assert(!_completed || (_data.Count == 0 && _control.Count == 0 && _close is null), "a completed queue holds nothing");
    }

    /// <summary>A growable FIFO ring of frame references (grows by doubling up to its cap; never shrinks).</summary>
    private struct Ring
    {
        private SharedFrame[] _items;
        private int _head;
        private int _count;
        private long _bytes;

        public Ring(int capacity)
        {
            _items = capacity == 0 ? [] : new SharedFrame[capacity];
        }

        public readonly int Count => _count;

        public readonly long Bytes => _bytes;

        public readonly int PeekLength() => _items[_head].Length;

        public void Push(SharedFrame frame, int cap)
        {
            if (_count == _items.Length)
            {
                Grow(cap);
            }

            _items[(_head + _count) % _items.Length] = frame;
            _count++;
            _bytes += frame.Length;
        }

        public SharedFrame Pop()
        {
            SharedFrame frame = _items[_head];
            _items[_head] = null!;
            _head = (_head + 1) % _items.Length;
            _count--;
            _bytes -= frame.Length;
            return frame;
        }

        public void ReleaseAll()
        {
            while (_count > 0)
            {
                Pop().Release();
            }
        }

        private void Grow(int cap)
        {
            int capacity = Math.Min(Math.Max(4, _items.Length * 2), Math.Max(cap, 1));
            var items = new SharedFrame[Math.Max(capacity, _count + 1)];
            for (int i = 0; i < _count; i++)
            {
                items[i] = _items[(_head + i) % _items.Length];
            }

            _items = items;
            _head = 0;
        }
    }

    /// <summary>The send loop's reusable wait: one outstanding ValueTask at a time, continuations run on the pool.</summary>
    private sealed class Waiter : IValueTaskSource<bool>
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

        public ValueTask<bool> Arm()
        {
            _core.Reset();
            return new ValueTask<bool>(this, _core.Version);
        }

        public void Signal(bool result) => _core.SetResult(result);

        public bool GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
