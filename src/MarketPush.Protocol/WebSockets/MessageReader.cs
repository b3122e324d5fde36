using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// Turns the bytes a peer sends into WebSocket events (RFC 6455 §5–§7, RFC 7692 for compressed messages): frames are
/// parsed, validated, unmasked and reassembled into messages. First stage of the inbound path: the connection's
/// receive loop hands it whatever the transport buffered, reacts to the returned <see cref="MessageReadStatus"/>
/// (dispatch a command, answer a ping, close) and calls again until <see cref="MessageReadStatus.NeedMoreData"/>.
/// </summary>
/// <remarks>
/// <para>Threading: one reader per connection, called only by that connection's receive loop. Not thread-safe.</para>
/// <para>Ownership: the reader owns at most one pooled message buffer (from <see cref="ArrayPool{T}.Shared"/>), rented
/// when a message with a payload starts and returned at the start of the <see cref="Read"/> call after the message
/// was delivered (that is why <see cref="Payload"/> is valid only until then). An idle connection therefore holds no
/// buffer: the receive loop always reads until NeedMoreData. Control payloads (≤ 125 bytes) land in a small inline
/// array inside the reader, so pings, pongs and closes never touch the pool. The inflater is borrowed, not owned.</para>
/// <para>Incremental: payloads are consumed as bytes arrive (a payload may trickle in over many calls), so the transport
/// never has to buffer a whole frame; only an incomplete header is left for the caller to present again. A frame wholly in the first segment takes the fast path (header parsed from
/// the span, payload copied in one go); a header or payload split across segments takes the named slow paths
/// <see cref="ParseSplitHeader"/> and <see cref="ReadPayloadSlow"/>.</para>
/// <para>Limits are checked before trusting a length: a data frame announcing more than what is left of
/// <see cref="MessageReaderOptions.MaxMessageBytes"/> fails with 1009 from its header alone, before any buffer grows
/// and before its payload is read. Bad peer input never throws; it yields <see cref="MessageReadStatus.ProtocolViolation"/>
/// with the close code to send. Close and ProtocolViolation are terminal: later calls return them again and consume
/// nothing.</para>
/// <para>Size: the one source file allowed past 500 lines (STYLE.md; <c>SourceFileSizeTests</c> names it). It is a
/// single state machine that reads top to bottom in the order a frame is processed (header, frame checks, payload,
/// frame completion, close, message completion, inflation), and every step reads and writes the same frame and
/// message state; split into partials, a reader would have to jump between files to follow one frame.</para>
/// </remarks>
public sealed class MessageReader : IDisposable
{
    private const string ReasonReservedBits = "reserved bits set";
    private const string ReasonReservedOpcode = "reserved opcode";
    private const string ReasonUnmasked = "client frame not masked";
    private const string ReasonMasked = "server frame masked";
    private const string ReasonBadLength = "64-bit length has its top bit set";
    private const string ReasonControlRsv1 = "RSV1 set on a control frame";
    private const string ReasonControlFragmented = "fragmented control frame";
    private const string ReasonControlTooLong = "control frame over 125 bytes";
    private const string ReasonClosePayload = "close payload of 1 byte";
    private const string ReasonCloseCode = "invalid close code";
    private const string ReasonCloseUtf8 = "close reason is not UTF-8";
    private const string ReasonContinuationRsv1 = "RSV1 set on a continuation frame";
    private const string ReasonContinuationWithoutStart = "continuation frame without a message";
    private const string ReasonNewMessageWhileFragmented = "new message inside a fragmented message";
    private const string ReasonNotNegotiated = "RSV1 set but permessage-deflate not negotiated";
    private const string ReasonTooBig = "message too big";
    private const string ReasonInvalidUtf8 = "invalid UTF-8 in text message";
    private const string ReasonCorruptDeflate = "corrupt deflate data";

    private readonly int _maxMessageBytes;
    private readonly int _maxCompressedBytes;
    private readonly bool _expectMaskedFrames;
    private readonly MessageInflater? _inflater;

    // The frame being consumed; meaningful while _inFrame.
    private bool _inFrame;
    private bool _frameFin;
    private bool _frameIsControl;
    private bool _frameMasked;
    private WebSocketOpcode _frameOpcode;
    private uint _frameMaskKey;
    private long _frameRemaining;
    private int _frameConsumed;

    // The message being assembled, or just delivered.
    private bool _messageInProgress;
    private bool _messageCompressed;
    private bool _releaseBufferOnNextRead;
    private WebSocketOpcode _messageOpcode;
    private byte[]? _messageBuffer;
    private int _messageLength;
    private Utf8Validator _utf8;

    private ControlPayload _control;
    private int _controlLength;

    // What the last event exposes.
    private PayloadSource _payloadSource;
    private int _payloadOffset;
    private int _payloadLength;
    private MessageReadStatus _terminalStatus;
    private ushort _closeCode;
    private string? _violationReason;
    private bool _disposed;

    /// <param name="options">Limits and role (server: masked frames expected).</param>
    /// <param name="inflater">The per-message decompressor when permessage-deflate was negotiated; null means a frame
    /// with RSV1 set is a 1002 violation (RFC 6455 §5.2: no extension defines the bit).</param>
    public MessageReader(MessageReaderOptions options, MessageInflater? inflater)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxMessageBytes <= 0 || options.MaxMessageBytes > Array.MaxLength)
        {
            WebSocketThrowHelper.ThrowArgumentOutOfRange(nameof(options.MaxMessageBytes));
        }

        _maxMessageBytes = options.MaxMessageBytes;
        _expectMaskedFrames = options.ExpectMaskedFrames;
        _inflater = inflater;

        // The compressed form of a message that is within the limit can be slightly larger than the limit when the
        // data does not compress (stored deflate blocks add 5 bytes per 64 KiB); this bound follows zlib's
        // compressBound so a legal incompressible message is not refused, while still capping what we buffer.
        long max = _maxMessageBytes;
        _maxCompressedBytes = (int)Math.Min(Array.MaxLength, max + (max >> 12) + (max >> 14) + 64);
    }

    private enum PayloadSource : byte
    {
        None,
        Message,
        Control,
    }

    /// <summary>Text or Binary: the opcode of the message that <see cref="Read"/> just returned.</summary>
    public WebSocketOpcode MessageOpcode => _messageOpcode;

    /// <summary>
    /// Message: the whole message, unmasked and inflated. Ping/Pong: the control payload. Close: the reason bytes
    /// (valid UTF-8, without the code). Valid until the next <see cref="Read"/> or <see cref="Dispose"/>.
    /// </summary>
    public ReadOnlySpan<byte> Payload => _payloadSource switch
    {
        PayloadSource.Message => new ReadOnlySpan<byte>(_messageBuffer, _payloadOffset, _payloadLength),
        PayloadSource.Control => ((ReadOnlySpan<byte>)_control).Slice(_payloadOffset, _payloadLength),
        _ => default,
    };

    /// <summary>Close: the code the peer sent (1005 when its close frame was empty). ProtocolViolation: the code to close with.</summary>
    public ushort CloseCode => _closeCode;

    /// <summary>ProtocolViolation: a short reason for the close frame (ASCII, well under 123 bytes). Null otherwise.</summary>
    public string? ViolationReason => _violationReason;

    /// <summary>Whether a pooled message buffer is currently rented (tests check idle readers hold none).</summary>
    internal bool HoldsMessageBuffer => _messageBuffer is not null;

    /// <summary>
    /// Consumes bytes from the front of <paramref name="buffer"/> (slicing it forward) and returns at most one event.
    /// Call again, with what is left, until it returns NeedMoreData. Payload bytes are always consumed as they arrive
    /// (a partial payload is kept inside the reader); only an incomplete frame header (under 14 bytes) is left in
    /// <paramref name="buffer"/>, so with a pipe: <c>AdvanceTo(buffer.Start, buffer.End)</c>, and present those bytes
    /// again, followed by new data, on the next call.
    /// </summary>
    public MessageReadStatus Read(ref ReadOnlySequence<byte> buffer)
    {
        if (_disposed)
        {
            WebSocketThrowHelper.ThrowObjectDisposed(this);
        }

        if (_terminalStatus != MessageReadStatus.NeedMoreData)
        {
            return _terminalStatus;
        }

        if (_releaseBufferOnNextRead)
        {
            // The previous call delivered a message from this buffer; the caller is done with it now.
            _releaseBufferOnNextRead = false;
            ReturnMessageBuffer();
        }

        _payloadSource = PayloadSource.None;
        MessageReadStatus status;
        while (true)
        {
            if (!_inFrame)
            {
                OperationStatus parsed = FrameHeader.TryParse(buffer.FirstSpan, out FrameHeader header);
                if (parsed == OperationStatus.NeedMoreData && !buffer.IsSingleSegment)
                {
                    parsed = ParseSplitHeader(buffer, out header);
                }

                if (parsed == OperationStatus.NeedMoreData)
                {
                    return MessageReadStatus.NeedMoreData;
                }

                if (parsed != OperationStatus.Done)
                {
                    return Violate(CloseCodes.ProtocolError, ReasonBadLength);
                }

                if (!TryBeginFrame(in header, out status))
                {
                    return status;
                }

                buffer = buffer.Slice(header.HeaderLength);
            }

            if (_frameRemaining != 0)
            {
                ReadOnlySpan<byte> first = buffer.FirstSpan;
                if (first.Length >= _frameRemaining)
                {
                    // Fast path: the rest of the frame is in the first segment.
                    int count = (int)_frameRemaining;
                    if (!ConsumePayload(first.Slice(0, count)))
                    {
                        return _terminalStatus;
                    }

                    buffer = buffer.Slice(count);
                }
                else if (!ReadPayloadSlow(ref buffer, out status))
                {
                    return status;
                }
            }

            _inFrame = false;
            if (TryCompleteFrame(out status))
            {
                return status;
            }
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _payloadSource = PayloadSource.None;
            ReturnMessageBuffer();
        }
    }

    /// <summary>
    /// Slow path for a header that straddles segments: copy at most 14 bytes to the stack and parse the copy.
    /// Rare (the transport hands over large segments), and bounded, so it allocates nothing.
    /// </summary>
    private static OperationStatus ParseSplitHeader(in ReadOnlySequence<byte> buffer, out FrameHeader header)
    {
        Span<byte> scratch = stackalloc byte[FrameHeader.MaxLength];
        int available = (int)Math.Min(buffer.Length, FrameHeader.MaxLength);
        buffer.Slice(0, available).CopyTo(scratch);
        return FrameHeader.TryParse(scratch.Slice(0, available), out header);
    }

    /// <summary>
    /// Judges a parsed header against the connection state (RFC 6455 §5.2–§5.5, RFC 7692 §6.1) and, when it is
    /// acceptable, prepares the destination for its payload. Returns false with the violation status otherwise.
    /// </summary>
    private bool TryBeginFrame(in FrameHeader header, out MessageReadStatus status)
    {
        if (header.Rsv2 || header.Rsv3)
        {
            status = Violate(CloseCodes.ProtocolError, ReasonReservedBits);
            return false;
        }

        if (!header.IsKnownOpcode)
        {
            status = Violate(CloseCodes.ProtocolError, ReasonReservedOpcode);
            return false;
        }

        // §5.1: client-to-server frames are masked, server-to-client frames are not; either side closes on a breach.
        if (header.Masked != _expectMaskedFrames)
        {
            status = Violate(CloseCodes.ProtocolError, _expectMaskedFrames ? ReasonUnmasked : ReasonMasked);
            return false;
        }

        WebSocketOpcode opcode = header.Opcode;
        if (header.IsControl)
        {
            // §5.5: control frames are short, unfragmented, and (RFC 7692 §6.1) never compressed.
            string? reason =
                header.Rsv1 ? ReasonControlRsv1 :
                !header.Fin ? ReasonControlFragmented :
                header.PayloadLength > FrameWriter.MaxControlPayloadLength ? ReasonControlTooLong :
                opcode == WebSocketOpcode.Close && header.PayloadLength == 1 ? ReasonClosePayload :
                null;
            if (reason is not null)
            {
                status = Violate(CloseCodes.ProtocolError, reason);
                return false;
            }

            _controlLength = 0;
        }
        else
        {
            if (opcode == WebSocketOpcode.Continuation)
            {
                if (header.Rsv1)
                {
                    status = Violate(CloseCodes.ProtocolError, ReasonContinuationRsv1);
                    return false;
                }

                if (!_messageInProgress)
                {
                    status = Violate(CloseCodes.ProtocolError, ReasonContinuationWithoutStart);
                    return false;
                }
            }
            else
            {
                if (_messageInProgress)
                {
                    status = Violate(CloseCodes.ProtocolError, ReasonNewMessageWhileFragmented);
                    return false;
                }

                if (header.Rsv1 && _inflater is null)
                {
                    status = Violate(CloseCodes.ProtocolError, ReasonNotNegotiated);
                    return false;
                }

                _messageInProgress = true;
                _messageOpcode = opcode;
                _messageCompressed = header.Rsv1;
                _messageLength = 0;
                _utf8.Reset();
            }

            // The limit is checked from the announced length, before a byte of payload is read or a buffer grows.
            int limit = _messageCompressed ? _maxCompressedBytes : _maxMessageBytes;
            if (header.PayloadLength > limit - _messageLength)
            {
                status = Violate(CloseCodes.MessageTooBig, ReasonTooBig);
                return false;
            }

            EnsureMessageCapacity(_messageLength + (int)header.PayloadLength, header.Fin, limit);
        }

        _inFrame = true;
        _frameFin = header.Fin;
        _frameIsControl = header.IsControl;
        _frameOpcode = opcode;
        _frameMasked = header.Masked;
        _frameMaskKey = header.MaskKey;
        _frameRemaining = header.PayloadLength;
        _frameConsumed = 0;
        status = MessageReadStatus.NeedMoreData;
        return true;
    }

    /// <summary>
    /// Grows the pooled message buffer to hold <paramref name="required"/> bytes. A final frame gets exactly what it
    /// needs (the common single-frame message); a fragment gets room to double into, so a message of many small
    /// fragments costs O(log n) rents, never more than <paramref name="limit"/>.
    /// </summary>
    private void EnsureMessageCapacity(int required, bool final, int limit)
    {
        byte[]? current = _messageBuffer;
        if (required == 0 || (current is not null && current.Length >= required))
        {
            return;
        }

        int size = required;
        if (!final)
        {
            int doubled = (int)Math.Min(limit, Math.Max(4096L, (current?.Length ?? 0) * 2L));
            size = Math.Max(required, doubled);
        }

        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        if (current is not null)
        {
            current.AsSpan(0, _messageLength).CopyTo(next);
            ArrayPool<byte>.Shared.Return(current);
        }

        _messageBuffer = next;
    }

    /// <summary>
    /// Slow path for a payload that continues past the first segment or past what has arrived: consume what is there
    /// segment by segment. Returns true when the frame's payload is complete.
    /// </summary>
    private bool ReadPayloadSlow(ref ReadOnlySequence<byte> buffer, out MessageReadStatus status)
    {
        long take = Math.Min(_frameRemaining, buffer.Length);
        foreach (ReadOnlyMemory<byte> segment in buffer.Slice(0, take))
        {
            if (!ConsumePayload(segment.Span))
            {
                status = _terminalStatus;
                return false;
            }
        }

        buffer = buffer.Slice(take);
        status = MessageReadStatus.NeedMoreData;
        return _frameRemaining == 0;
    }

    /// <summary>Copies one chunk of the current frame's payload to its destination, unmasks it, and validates text.</summary>
    private bool ConsumePayload(ReadOnlySpan<byte> chunk)
    {
        Span<byte> destination;
        if (_frameIsControl)
        {
            destination = ((Span<byte>)_control).Slice(_controlLength, chunk.Length);
            _controlLength += chunk.Length;
        }
        else
        {
            destination = new Span<byte>(_messageBuffer, _messageLength, chunk.Length);
            _messageLength += chunk.Length;
        }

        chunk.CopyTo(destination);
        if (_frameMasked)
        {
            Masking.Apply(destination, _frameMaskKey, _frameConsumed);
        }

        _frameConsumed += chunk.Length;
        _frameRemaining -= chunk.Length;

        // Uncompressed text is validated as it arrives, so a bad byte fails the message now (Autobahn 6.4) and a
        // code point split across chunks or fragments is carried in the validator's state.
        if (!_frameIsControl && _messageOpcode == WebSocketOpcode.Text && !_messageCompressed && !_utf8.TryAppend(destination))
        {
            Violate(CloseCodes.InvalidPayloadData, ReasonInvalidUtf8);
            return false;
        }

        return true;
    }

    /// <summary>A frame's payload is complete. Returns true when that produces an event (anything but a non-final fragment).</summary>
    private bool TryCompleteFrame(out MessageReadStatus status)
    {
        if (_frameIsControl)
        {
            switch (_frameOpcode)
            {
                case WebSocketOpcode.Ping:
                    SetPayload(PayloadSource.Control, 0, _controlLength);
                    status = MessageReadStatus.Ping;
                    return true;
                case WebSocketOpcode.Pong:
                    SetPayload(PayloadSource.Control, 0, _controlLength);
                    status = MessageReadStatus.Pong;
                    return true;
                default:
                    status = CompleteClose();
                    return true;
            }
        }

        if (!_frameFin)
        {
            status = MessageReadStatus.NeedMoreData;
            return false;
        }

        status = CompleteMessage();
        return true;
    }

    /// <summary>RFC 6455 §5.5.1 and §7.4: an optional 2-byte code (a valid one) then an optional UTF-8 reason.</summary>
    private MessageReadStatus CompleteClose()
    {
        ReadOnlySpan<byte> payload = ((ReadOnlySpan<byte>)_control).Slice(0, _controlLength);
        if (payload.IsEmpty)
        {
            _closeCode = CloseCodes.NoStatusReceived;
            SetPayload(PayloadSource.Control, 0, 0);
        }
        else
        {
            ushort code = BinaryPrimitives.ReadUInt16BigEndian(payload);
            if (!CloseCodes.IsValidInCloseFrame(code))
            {
                return Violate(CloseCodes.ProtocolError, ReasonCloseCode);
            }

            if (!Utf8Validator.IsValid(payload.Slice(2)))
            {
                return Violate(CloseCodes.InvalidPayloadData, ReasonCloseUtf8);
            }

            _closeCode = code;
            SetPayload(PayloadSource.Control, 2, payload.Length - 2);
        }

        // A message still being assembled will never complete now.
        _messageInProgress = false;
        ReturnMessageBuffer();
        _terminalStatus = MessageReadStatus.Close;
        return MessageReadStatus.Close;
    }

    private MessageReadStatus CompleteMessage()
    {
        _messageInProgress = false;
        if (_messageCompressed)
        {
            MessageReadStatus inflated = Inflate();
            if (inflated != MessageReadStatus.Message)
            {
                return inflated;
            }
        }
        else if (_messageOpcode == WebSocketOpcode.Text && !_utf8.IsComplete)
        {
            // The message ended inside a code point (§8.1: the whole message must be valid UTF-8).
            return Violate(CloseCodes.InvalidPayloadData, ReasonInvalidUtf8);
        }

        SetPayload(PayloadSource.Message, 0, _messageLength);
        _releaseBufferOnNextRead = true;
        return MessageReadStatus.Message;
    }

    /// <summary>
    /// RFC 7692 §7.2.2: the compressed message is inflated once, whole, into a pooled buffer of exactly
    /// MaxMessageBytes, which the inflater treats as a hard cap (a deflate bomb stops there with 1009). The
    /// compressed buffer goes back to the pool before the message is delivered.
    /// </summary>
    private MessageReadStatus Inflate()
    {
        byte[] output = ArrayPool<byte>.Shared.Rent(_maxMessageBytes);
        InflateStatus result = _inflater!.Inflate(
            new ReadOnlySpan<byte>(_messageBuffer, 0, _messageLength),
            output.AsSpan(0, _maxMessageBytes),
            out int written);
        ReturnMessageBuffer();
        _messageBuffer = output;
        _messageLength = written;

        switch (result)
        {
            case InflateStatus.Done:
                break;
            case InflateStatus.TooLarge:
                return Violate(CloseCodes.MessageTooBig, ReasonTooBig);
            default:
                return Violate(CloseCodes.InvalidPayloadData, ReasonCorruptDeflate);
        }

        if (_messageOpcode == WebSocketOpcode.Text && !Utf8Validator.IsValid(output.AsSpan(0, written)))
        {
            return Violate(CloseCodes.InvalidPayloadData, ReasonInvalidUtf8);
        }

        return MessageReadStatus.Message;
    }

    private MessageReadStatus Violate(ushort code, string reason)
    {
        _terminalStatus = MessageReadStatus.ProtocolViolation;
        _closeCode = code;
        _violationReason = reason;
        _payloadSource = PayloadSource.None;
        _inFrame = false;
        _messageInProgress = false;
        ReturnMessageBuffer();
        return MessageReadStatus.ProtocolViolation;
    }

    private void SetPayload(PayloadSource source, int offset, int length)
    {
        _payloadSource = source;
        _payloadOffset = offset;
        _payloadLength = length;
    }

    private void ReturnMessageBuffer()
    {
        byte[]? buffer = _messageBuffer;
        if (buffer is not null)
        {
            _messageBuffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _messageLength = 0;
    }

    /// <summary>Inline storage for one control payload: lives inside the reader object, so no separate allocation.</summary>
    [InlineArray(FrameWriter.MaxControlPayloadLength)]
    private struct ControlPayload
    {
        private byte _element0;
    }
}
