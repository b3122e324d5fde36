using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace MarketPush.Protocol.Encodings.MessagePack;

/// <summary>
/// Low-level MessagePack writer (https://github.com/msgpack/msgpack/blob/master/spec.md), always choosing the
/// shortest form the spec allows: integers as positive/negative fixint or the narrowest uint/int 8/16/32/64,
/// strings as fixstr or str 8/16/32, containers as fix or 16/32-bit headers. Floats are always float64 (prices
/// must survive exactly as the double nearest their decimal text). Used by <see cref="MessagePackMessageWriter"/>
/// on the router's thread and by clients (tests, load generator) to build commands.
/// A stack-only cursor over an <see cref="IBufferWriter{T}"/>: call <see cref="Flush"/> when done.
/// </summary>
public ref struct MessagePackWriter
{
    private BufferOutput _output;

    public MessagePackWriter(IBufferWriter<byte> writer, int sizeHint = 256)
    {
        _output = new BufferOutput(writer, sizeHint);
    }

    internal MessagePackWriter(BufferOutput output)
    {
        _output = output;
    }

    /// <summary>Commits everything written to the underlying buffer writer.</summary>
    public void Flush() => _output.Complete();

    public void WriteNil() => _output.WriteByte(MessagePackCode.Nil);

    public void WriteBoolean(bool value) => _output.WriteByte(value ? MessagePackCode.True : MessagePackCode.False);

    public void WriteMapHeader(int count) => WriteContainerHeader(count, MessagePackCode.MinFixMap, 15, MessagePackCode.Map16, MessagePackCode.Map32);

    public void WriteArrayHeader(int count) => WriteContainerHeader(count, MessagePackCode.MinFixArray, 15, MessagePackCode.Array16, MessagePackCode.Array32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value)
    {
        if (value >= 0)
        {
            WriteUInt64((ulong)value);
            return;
        }

        Span<byte> span = _output.GetSpan(9);
        _output.Advance(WriteNegative(span, value));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt64(ulong value)
    {
        if (value <= 0x7F)
        {
            _output.WriteByte((byte)value);
            return;
        }

        Span<byte> span = _output.GetSpan(9);
        _output.Advance(WritePositive(span, value));
    }

    /// <summary>float64 (0xcb), big-endian IEEE 754.</summary>
    public void WriteDouble(double value)
    {
        Span<byte> span = _output.GetSpan(9);
        span[0] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(span.Slice(1), value);
        _output.Advance(9);
    }

    /// <summary>Writes a str from UTF-8 bytes (the caller guarantees they are valid UTF-8).</summary>
    public void WriteString(scoped ReadOnlySpan<byte> utf8)
    {
        WriteStringHeader(utf8.Length);
        _output.Write(utf8);
    }

    /// <summary>Writes a str from a .NET string (lone surrogates become U+FFFD, as in <see cref="System.Text.Encoding.UTF8"/>).</summary>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int maxBytes = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> utf8 = maxBytes <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        int length = System.Text.Encoding.UTF8.GetBytes(value, utf8);
        WriteString(utf8.Slice(0, length));
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Copies bytes that already are complete MessagePack values (e.g. a pre-encoded symbol).</summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> messagePackBytes) => _output.Write(messagePackBytes);

    public void WriteStringHeader(int byteCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteCount);
        Span<byte> span = _output.GetSpan(5);
        if (byteCount <= 31)
        {
            span[0] = (byte)(MessagePackCode.MinFixStr | byteCount);
            _output.Advance(1);
        }
        else if (byteCount <= byte.MaxValue)
        {
            span[0] = MessagePackCode.Str8;
            span[1] = (byte)byteCount;
            _output.Advance(2);
        }
        else if (byteCount <= ushort.MaxValue)
        {
            span[0] = MessagePackCode.Str16;
            BinaryPrimitives.WriteUInt16BigEndian(span.Slice(1), (ushort)byteCount);
            _output.Advance(3);
        }
        else
        {
            span[0] = MessagePackCode.Str32;
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), (uint)byteCount);
            _output.Advance(5);
        }
    }

    /// <summary>A complete str value (header and UTF-8) for a string encoded once and copied many times.</summary>
    public static byte[] EncodeString(string value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 5);
        var writer = new MessagePackWriter(buffer, value.Length + 5);
        writer.WriteString(value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private void WriteContainerHeader(int count, byte fixBase, int fixMax, byte code16, byte code32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Span<byte> span = _output.GetSpan(5);
        if (count <= fixMax)
        {
            span[0] = (byte)(fixBase | count);
            _output.Advance(1);
        }
        else if (count <= ushort.MaxValue)
        {
            span[0] = code16;
            BinaryPrimitives.WriteUInt16BigEndian(span.Slice(1), (ushort)count);
            _output.Advance(3);
        }
        else
        {
            span[0] = code32;
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), (uint)count);
            _output.Advance(5);
        }
    }

    private static int WritePositive(Span<byte> span, ulong value)
    {
        if (value <= 0x7F)
        {
            span[0] = (byte)value;
            return 1;
        }

        if (value <= byte.MaxValue)
        {
            span[0] = MessagePackCode.UInt8;
            span[1] = (byte)value;
            return 2;
        }

        if (value <= ushort.MaxValue)
        {
            span[0] = MessagePackCode.UInt16;
            BinaryPrimitives.WriteUInt16BigEndian(span.Slice(1), (ushort)value);
            return 3;
        }

        if (value <= uint.MaxValue)
        {
            span[0] = MessagePackCode.UInt32;
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(1), (uint)value);
            return 5;
        }

        span[0] = MessagePackCode.UInt64;
        BinaryPrimitives.WriteUInt64BigEndian(span.Slice(1), value);
        return 9;
    }

    private static int WriteNegative(Span<byte> span, long value)
    {
        if (value >= -32)
        {
            span[0] = unchecked((byte)(sbyte)value); // negative fixint 0xe0..0xff
            return 1;
        }

        if (value >= sbyte.MinValue)
        {
            span[0] = MessagePackCode.Int8;
            span[1] = unchecked((byte)(sbyte)value);
            return 2;
        }

        if (value >= short.MinValue)
        {
            span[0] = MessagePackCode.Int16;
            BinaryPrimitives.WriteInt16BigEndian(span.Slice(1), (short)value);
            return 3;
        }

        if (value >= int.MinValue)
        {
            span[0] = MessagePackCode.Int32;
            BinaryPrimitives.WriteInt32BigEndian(span.Slice(1), (int)value);
            return 5;
        }

        span[0] = MessagePackCode.Int64;
        BinaryPrimitives.WriteInt64BigEndian(span.Slice(1), value);
        return 9;
    }
}
