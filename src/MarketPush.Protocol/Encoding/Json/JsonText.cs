using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace MarketPush.Protocol.Encodings.Json;

/// <summary>
/// JSON token writers used by <see cref="JsonMessageWriter"/>: integers, prices, booleans and escaped strings,
/// all written as UTF-8 straight into the output. Strings escape exactly what RFC 8259 §7 requires (quote,
/// backslash, U+0000..U+001F); other text, including non-ASCII, passes through as UTF-8.
/// </summary>
internal static class JsonText
{
    private const int MaxInt64Length = 20;

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteInt64(ref BufferOutput output, long value)
    {
        Utf8Formatter.TryFormat(value, output.GetSpan(MaxInt64Length), out int written);
        output.Advance(written);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WritePrice(ref BufferOutput output, long scaledValue, int decimals)
    {
        int written = PriceFormatter.Format(scaledValue, decimals, output.GetSpan(PriceFormatter.MaxLength));
        output.Advance(written);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteBoolean(ref BufferOutput output, bool value) => output.Write(value ? "true"u8 : "false"u8);

    /// <summary>Writes <paramref name="value"/> as a quoted JSON string.</summary>
    public static void WriteString(ref BufferOutput output, string value)
    {
        int maxBytes = System.Text.Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        Span<byte> utf8 = maxBytes <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        int length = System.Text.Encoding.UTF8.GetBytes(value, utf8);
        WriteUtf8String(ref output, utf8.Slice(0, length));
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes UTF-8 text as a quoted JSON string, escaping what JSON requires.</summary>
    public static void WriteUtf8String(ref BufferOutput output, scoped ReadOnlySpan<byte> utf8)
    {
        output.WriteByte((byte)'"');
        while (!utf8.IsEmpty)
        {
            int plain = IndexOfByteNeedingEscape(utf8);
            if (plain < 0)
            {
                output.Write(utf8);
                break;
            }

            output.Write(utf8.Slice(0, plain));
            WriteEscaped(ref output, utf8[plain]);
            utf8 = utf8.Slice(plain + 1);
        }

        output.WriteByte((byte)'"');
    }

    /// <summary>A quoted, escaped JSON string as UTF-8 bytes (for values encoded once, like instrument symbols).</summary>
    public static byte[] EncodeString(string value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 2);
        var output = new BufferOutput(buffer, value.Length + 2);
        WriteString(ref output, value);
        output.Complete();
        return buffer.WrittenSpan.ToArray();
    }

    private static int IndexOfByteNeedingEscape(ReadOnlySpan<byte> utf8)
    {
        for (int i = 0; i < utf8.Length; i++)
        {
            byte b = utf8[i];
            if (b < 0x20 || b == (byte)'"' || b == (byte)'\\')
            {
                return i;
            }
        }

        return -1;
    }

    private static void WriteEscaped(ref BufferOutput output, byte b)
    {
        switch (b)
        {
            case (byte)'"': output.Write("\\\""u8); break;
            case (byte)'\\': output.Write("\\\\"u8); break;
            case (byte)'\n': output.Write("\\n"u8); break;
            case (byte)'\r': output.Write("\\r"u8); break;
            case (byte)'\t': output.Write("\\t"u8); break;
            case (byte)'\b': output.Write("\\b"u8); break;
            case (byte)'\f': output.Write("\\f"u8); break;
            default:
                Span<byte> escape = output.GetSpan(6);
                "\\u00"u8.CopyTo(escape);
                escape[4] = HexDigits[b >> 4];
                escape[5] = HexDigits[b & 0xF];
                output.Advance(6);
                break;
        }
    }
}
