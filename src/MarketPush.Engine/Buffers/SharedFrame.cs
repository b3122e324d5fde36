using System.Diagnostics.CodeAnalysis;

namespace MarketPush.Engine.Buffers;

/// <summary>
/// One complete, ready-to-write server frame (header + payload; for a fragmented message, all of its frames back to
/// back) in a pooled buffer, shared by every session that sends it. Server frames are unmasked (RFC 6455 §5.1), so
/// the same bytes are correct for every subscriber.
/// </summary>
/// <remarks>
/// Built by one thread (router, command handler, keepalive), then read concurrently by many send loops; the bytes
/// never change after <see cref="Commit"/>. Reference counted: whoever rents or <see cref="AddRef"/>s owns one
/// reference and gives it back with exactly one <see cref="Release"/>. An <see cref="Sessions.OutboundQueue"/> owns one
/// reference per queued entry; the send loop releases it once the bytes are copied into its write buffer. The last
/// release returns the buffer and this object to the <see cref="FramePool"/>. Releasing more often than referenced
/// throws (and the pool counts it), so tests see double releases instead of silent corruption.
/// </remarks>
public sealed class SharedFrame
{
    private readonly FramePool _pool;
    private byte[] _buffer = [];
    private int _offset;
    private int _length;
    private int _refCount;
    private long _feedTimestamp;

    internal SharedFrame(FramePool pool) => _pool = pool;

    /// <summary>The frame bytes exactly as they go on the wire.</summary>
    public ReadOnlySpan<byte> Bytes => new(_buffer, _offset, _length);

    public ReadOnlyMemory<byte> Memory => new(_buffer, _offset, _length);

    public int Length => _length;

    /// <summary>Current number of owners; 0 once returned to the pool. For tests and diagnostics.</summary>
    public int RefCount => Volatile.Read(ref _refCount);

    /// <summary>True when the (first) frame is a control frame (opcode 0x8–0xF): ping, pong or close.</summary>
    public bool IsControl => _length > 0 && (_buffer[_offset] & 0x08) != 0;

    /// <summary>True when the frame is a close frame (opcode 0x8).</summary>
    public bool IsClose => _length > 0 && (_buffer[_offset] & 0x0F) == 0x08;

    /// <summary>True when the (first) frame has RSV1 set: a permessage-deflate compressed message (RFC 7692 §6).</summary>
    public bool IsCompressed => _length > 0 && (_buffer[_offset] & 0x40) != 0;

    /// <summary>
    /// The feed <c>ts</c> (µs since the Unix epoch) of the market-data update this frame carries, or 0 for everything
    /// else (welcome, replies, snapshots, status, control frames). Set by the builder before the frame is shared and
    /// never changed after, so send loops read it without synchronisation; they turn it into the tick age at write.
    /// </summary>
    public long FeedTimestamp => _feedTimestamp;

    /// <summary>Adds an owner (one per enqueue). Throws when the frame was already returned to the pool.</summary>
    public void AddRef()
    {
        while (true)
        {
            int current = Volatile.Read(ref _refCount);
            if (current <= 0)
            {
                ThrowReleased("AddRef on a frame that was already returned to the pool.");
            }

            if (Interlocked.CompareExchange(ref _refCount, current + 1, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Gives back one reference; the last one returns the frame to its pool. A release without a matching reference
    /// throws <see cref="InvalidOperationException"/> and is counted by <see cref="FramePool.DoubleReleases"/>.
    /// </summary>
    public void Release()
    {
        while (true)
        {
            int current = Volatile.Read(ref _refCount);
            if (current <= 0)
            {
                _pool.OnDoubleRelease();
                ThrowReleased("Release on a frame that was already returned to the pool (double release).");
            }

            // CompareExchange rather than Decrement: a double release must not drive the count negative, or a later
            // rent of this pooled object would start from a corrupt count.
            if (Interlocked.CompareExchange(ref _refCount, current - 1, current) == current)
            {
                if (current == 1)
                {
                    _pool.Return(this);
                }

                return;
            }
        }
    }

    // Called by FramePool.Rent only: the renter owns the single reference.
    internal void Initialize(byte[] buffer)
    {
        _buffer = buffer;
        _offset = 0;
        _length = 0;
        _feedTimestamp = 0;
        Volatile.Write(ref _refCount, 1);
    }

    // Called by FramePool.Return only (refcount already 0).
    internal byte[] Detach()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _offset = 0;
        _length = 0;
        return buffer;
    }

    /// <summary>The whole rented buffer, for the builder to write into before <see cref="Commit"/>.</summary>
    internal Span<byte> WritableBuffer => _buffer;

    internal int Capacity => _buffer.Length;

    /// <summary>Fixes the frame as <c>buffer[offset..offset+length]</c>. Called once by the builder.</summary>
    internal void Commit(int offset, int length)
    {
        if ((uint)offset > (uint)_buffer.Length || (uint)length > (uint)(_buffer.Length - offset))
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        _offset = offset;
        _length = length;
    }

    /// <summary>Stamps the feed <c>ts</c> of the update this frame carries. Builder only, before the frame is shared.</summary>
    internal void SetFeedTimestamp(long feedTimestampMicros) => _feedTimestamp = feedTimestampMicros;

    [DoesNotReturn]
    private static void ThrowReleased(string message) => throw new InvalidOperationException(message);
}
