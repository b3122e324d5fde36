using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace MarketPush.Engine.Buffers;

/// <summary>
/// Rents <see cref="SharedFrame"/>s: the byte buffer comes from an <see cref="ArrayPool{T}"/>, the frame object from a
/// small free list, so building a frame allocates nothing in steady state. One pool per server; any thread rents and
/// returns (the router, command handlers, keepalive and every send loop).
/// </summary>
/// <remarks>
/// Counts the frames that are out (<see cref="Outstanding"/>) and releases of frames that were already back
/// (<see cref="DoubleReleases"/>); tests assert both are 0 once every session has closed, so a leaked or
/// double-released frame fails the test that caused it. In DEBUG builds, with <see cref="RecordRentStacks"/> on, the
/// pool also remembers where each outstanding frame was rented, which <see cref="DescribeOutstanding"/> prints.
/// </remarks>
public sealed class FramePool
{
    // Enough frame objects to cover the frames in flight at once on a busy node; more are simply left to the GC.
    private const int MaxRetainedFrames = 4096;

    private readonly ArrayPool<byte> _arrayPool;
    private readonly Lock _freeLock = new();
    private readonly SharedFrame[] _free = new SharedFrame[MaxRetainedFrames];
    private int _freeCount;
    private long _outstanding;
    private long _rented;
    private long _doubleReleases;
#if DEBUG
    private readonly ConcurrentDictionary<SharedFrame, string> _rentStacks = new(ReferenceEqualityComparer.Instance);
#endif

    public FramePool(ArrayPool<byte>? arrayPool = null) => _arrayPool = arrayPool ?? ArrayPool<byte>.Shared;

    /// <summary>Frames rented and not yet returned by their last <see cref="SharedFrame.Release"/>.</summary>
    public long Outstanding => Interlocked.Read(ref _outstanding);

    /// <summary>Frames rented since the pool was created.</summary>
    public long TotalRented => Interlocked.Read(ref _rented);

    /// <summary>Releases of a frame that had no reference left. Always a bug; tests assert 0.</summary>
    public long DoubleReleases => Interlocked.Read(ref _doubleReleases);

    /// <summary>DEBUG builds only: remember the stack of every rent until the frame is returned (slow; tests).</summary>
    public bool RecordRentStacks { get; set; }

    /// <summary>
    /// Rents a frame whose buffer holds at least <paramref name="capacity"/> bytes. The caller owns the one reference,
    /// writes the frame, commits it, and hands the reference on or releases it.
    /// </summary>
    public SharedFrame Rent(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        SharedFrame? frame = null;
        lock (_freeLock)
        {
            if (_freeCount > 0)
            {
                frame = _free[--_freeCount];
                _free[_freeCount] = null!;
            }
        }

        frame ??= new SharedFrame(this);
        frame.Initialize(_arrayPool.Rent(Math.Max(capacity, 16)));
        Interlocked.Increment(ref _outstanding);
        Interlocked.Increment(ref _rented);
        TrackRent(frame);
        return frame;
    }

    /// <summary>Lists where the outstanding frames were rented (DEBUG with <see cref="RecordRentStacks"/>), for leak messages.</summary>
    public string DescribeOutstanding()
    {
        var text = new StringBuilder();
        text.Append(Outstanding).Append(" frame(s) outstanding, ").Append(DoubleReleases).Append(" double release(s).");
#if DEBUG
        foreach (KeyValuePair<SharedFrame, string> entry in _rentStacks)
        {
            text.AppendLine().Append("rented at:").AppendLine().Append(entry.Value);
        }
#endif
        return text.ToString();
    }

    // Called by SharedFrame.Release when the last reference goes.
    internal void Return(SharedFrame frame)
    {
        UntrackRent(frame);
        byte[] buffer = frame.Detach();
        _arrayPool.Return(buffer);
        Interlocked.Decrement(ref _outstanding);
        lock (_freeLock)
        {
            if (_freeCount < _free.Length)
            {
                _free[_freeCount++] = frame;
            }
        }
    }

    internal void OnDoubleRelease() => Interlocked.Increment(ref _doubleReleases);

    [Conditional("DEBUG")]
    private void TrackRent(SharedFrame frame)
    {
#if DEBUG
        if (RecordRentStacks)
        {
            _rentStacks[frame] = new StackTrace(2, fNeedFileInfo: false).ToString();
        }
#endif
    }

    [Conditional("DEBUG")]
    private void UntrackRent(SharedFrame frame)
    {
#if DEBUG
        _rentStacks.TryRemove(frame, out _);
#endif
    }
}
