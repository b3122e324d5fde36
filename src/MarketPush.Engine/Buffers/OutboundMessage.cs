using System.Buffers;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Buffers;

/// <summary>
/// One logical outbound message for one wire encoding: its plain frame, built once, and its permessage-deflate frame,
/// built once on the first request by a compressed session (RFC 7692 with server_no_context_takeover, so the same
/// compressed bytes are right for every deflate session). Below <see cref="FrameBuilder.CompressionThresholdBytes"/>
/// the compressed variant is the plain frame: small ticks are not worth deflating one by one.
/// </summary>
/// <remarks>
/// Created by <see cref="FrameBuilder.CreateMessage"/> on the publishing thread (router, test hook), which owns it:
/// it asks <see cref="GetFrame"/> for each session (sessions add their own reference when they enqueue) and disposes it
/// after the last one, which releases the message's own references and returns the object to the builder's pool.
/// <see cref="GetFrame"/> is thread-safe, so a publisher may fan out from several threads; the lazy compressed frame
/// is published with <see cref="Interlocked.CompareExchange{T}(ref T, T, T)"/> and a losing racer releases its copy.
/// </remarks>
public sealed class OutboundMessage : IDisposable
{
    private readonly FrameBuilder _builder;
    private SharedFrame? _plain;
    private SharedFrame? _compressed;
    private WebSocketOpcode _opcode;
    private int _payloadOffset;
    private int _payloadLength;
    private int _fragmentBytes;
    private long _feedTimestamp;
    // Fragmented messages only: the payload kept whole, because the plain frame interleaves it with headers.
    private byte[]? _payloadCopy;

    internal OutboundMessage(FrameBuilder builder) => _builder = builder;

    public WebSocketOpcode Opcode => _opcode;

    public int PayloadLength => _payloadLength;

    /// <summary>Feed <c>ts</c> (µs since the Unix epoch) of the market-data update carried; 0 for other messages.</summary>
    public long FeedTimestamp => _feedTimestamp;

    /// <summary>True when deflate sessions get a compressed frame (payload at or over the threshold).</summary>
    public bool CompressesForDeflateSessions => _payloadLength >= _builder.CompressionThresholdBytes;

    /// <summary>
    /// The frame for a session with (<paramref name="compressed"/>) or without permessage-deflate. The message keeps
    /// its reference; a queue that stores the frame adds its own.
    /// </summary>
    public SharedFrame GetFrame(bool compressed)
    {
        SharedFrame plain = _plain ?? throw new ObjectDisposedException(nameof(OutboundMessage));
        if (!compressed || _payloadLength < _builder.CompressionThresholdBytes)
        {
            return plain;
        }

        return Volatile.Read(ref _compressed) ?? BuildCompressed(plain);
    }

    public void Dispose()
    {
        SharedFrame? plain = _plain;
        if (plain is null)
        {
            return;
        }

        _plain = null;
        plain.Release();
        Interlocked.Exchange(ref _compressed, null)?.Release();
        if (_payloadCopy is not null)
        {
            ArrayPool<byte>.Shared.Return(_payloadCopy);
            _payloadCopy = null;
        }

        _builder.ReturnMessage(this);
    }

    internal void Initialize(WebSocketOpcode opcode, SharedFrame plain, ReadOnlySpan<byte> payload, int fragmentBytes, long feedTimestamp)
    {
        _opcode = opcode;
        _feedTimestamp = feedTimestamp;
        plain.SetFeedTimestamp(feedTimestamp);
        _plain = plain;
        _compressed = null;
        _payloadLength = payload.Length;
        _fragmentBytes = fragmentBytes;
        if (fragmentBytes > 0 && payload.Length > fragmentBytes)
        {
            _payloadCopy = ArrayPool<byte>.Shared.Rent(payload.Length);
            payload.CopyTo(_payloadCopy);
            _payloadOffset = 0;
        }
        else
        {
            // A single plain frame is header + payload: the payload can be read back from it for compression.
            _payloadCopy = null;
            _payloadOffset = FrameWriter.GetHeaderLength(payload.Length, masked: false);
        }
    }

    private SharedFrame BuildCompressed(SharedFrame plain)
    {
        ReadOnlySpan<byte> payload = _payloadCopy is not null
            ? _payloadCopy.AsSpan(0, _payloadLength)
            : plain.Bytes.Slice(_payloadOffset, _payloadLength);
        SharedFrame built = _builder.BuildCompressed(_opcode, payload, _payloadCopy is not null ? _fragmentBytes : 0);
        built.SetFeedTimestamp(_feedTimestamp); // before it is published to other send loops
        SharedFrame? existing = Interlocked.CompareExchange(ref _compressed, built, null);
        if (existing is null)
        {
            return built;
        }

        built.Release();
        return existing;
    }
}
