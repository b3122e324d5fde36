using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace MarketPush.Protocol.Encodings.MessagePack;

/// <summary>
/// Reads one MessagePack document from a contiguous buffer (a whole client command: the WebSocket layer has
/// already reassembled and size-capped the message). Each Read method consumes one value of its type and throws
/// <see cref="MessagePackReaderException"/> with a clear message when the next value is another type or the
/// buffer ends early; every length is checked against the remaining bytes before it is trusted.
/// Commands are off the hot path, so errors are exceptions here, thrown through <see cref="DoesNotReturnAttribute"/>
/// helpers; <see cref="MessagePackCommandParser"/> turns them into <c>bad_request</c> values.
/// Used by one connection's receive loop at a time; stack-only.
/// </summary>
public ref struct MessagePackReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public MessagePackReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Bytes consumed so far.</summary>
    public readonly int Position => _position;

    /// <summary>True when every byte has been consumed.</summary>
    public readonly bool End => _position >= _data.Length;

    /// <summary>The type of the next value, without consuming it.</summary>
    public readonly MessagePackType PeekType()
    {
        if (End)
        {
            ThrowTruncated("a value");
        }

        return GetType(_data[_position]);
    }

    /// <summary>Consumes a nil and returns true, or returns false (consuming nothing) for any other value.</summary>
    public bool TryReadNil()
    {
        if (PeekType() != MessagePackType.Nil)
        {
            return false;
        }

        _position++;
        return true;
    }

    public bool ReadBoolean()
    {
        byte code = ReadCode(MessagePackType.Boolean, "a boolean");
        return code == MessagePackCode.True;
    }

    /// <summary>Reads any int format (fixint, int/uint 8..64). A uint 64 above <see cref="long.MaxValue"/> is an error.</summary>
    public long ReadInt64()
    {
        int start = _position;
        byte code = ReadCode(MessagePackType.Integer, "an integer");
        if (code <= MessagePackCode.MaxPositiveFixInt)
        {
            return code;
        }

        if (code >= MessagePackCode.MinNegativeFixInt)
        {
            return unchecked((sbyte)code);
        }

        switch (code)
        {
            case MessagePackCode.UInt8: return Take(1)[0];
            case MessagePackCode.UInt16: return BinaryPrimitives.ReadUInt16BigEndian(Take(2));
            case MessagePackCode.UInt32: return BinaryPrimitives.ReadUInt32BigEndian(Take(4));
            case MessagePackCode.UInt64:
                ulong value = BinaryPrimitives.ReadUInt64BigEndian(Take(8));
                if (value > long.MaxValue)
                {
                    ThrowAt(start, $"integer {value} is out of range");
                }

                return (long)value;
            case MessagePackCode.Int8: return unchecked((sbyte)Take(1)[0]);
            case MessagePackCode.Int16: return BinaryPrimitives.ReadInt16BigEndian(Take(2));
            case MessagePackCode.Int32: return BinaryPrimitives.ReadInt32BigEndian(Take(4));
            default: return BinaryPrimitives.ReadInt64BigEndian(Take(8)); // Int64: the only code GetType maps here
        }
    }

    /// <summary>Reads a float 32/64 or any integer as a double (commands may send <c>maxRate</c> either way).</summary>
    public double ReadDouble()
    {
        MessagePackType type = PeekType();
        if (type == MessagePackType.Integer)
        {
            return ReadInt64();
        }

        byte code = ReadCode(MessagePackType.Float, "a number");
        return code == MessagePackCode.Float32
            ? BinaryPrimitives.ReadSingleBigEndian(Take(4))
            : BinaryPrimitives.ReadDoubleBigEndian(Take(8));
    }

    /// <summary>Reads a str (fixstr, str 8/16/32) and returns its raw UTF-8 bytes, valid as long as the input buffer.</summary>
    public ReadOnlySpan<byte> ReadStringBytes()
    {
        byte code = ReadCode(MessagePackType.String, "a string");
        int length = code switch
        {
            MessagePackCode.Str8 => Take(1)[0],
            MessagePackCode.Str16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Str32 => ReadLength32(),
            _ => code & 0x1F,
        };
        return Take(length);
    }

    /// <summary>Reads a str and decodes it; invalid UTF-8 is an error.</summary>
    public string ReadString()
    {
        int start = _position;
        ReadOnlySpan<byte> bytes = ReadStringBytes();
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new MessagePackReaderException($"Invalid MessagePack at offset {start}: string is not valid UTF-8", e);
        }
    }

    /// <summary>Reads a map header (fixmap, map 16/32) and returns the number of key/value pairs.</summary>
    public int ReadMapHeader()
    {
        byte code = ReadCode(MessagePackType.Map, "a map");
        int count = code switch
        {
            MessagePackCode.Map16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Map32 => ReadLength32(),
            _ => code & 0x0F,
        };
        EnsurePlausibleCount(count, 2);
        return count;
    }

    /// <summary>Reads an array header (fixarray, array 16/32) and returns the element count.</summary>
    public int ReadArrayHeader()
    {
        byte code = ReadCode(MessagePackType.Array, "an array");
        int count = code switch
        {
            MessagePackCode.Array16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Array32 => ReadLength32(),
            _ => code & 0x0F,
        };
        EnsurePlausibleCount(count, 1);
        return count;
    }

    /// <summary>
    /// Skips the next value, containers included. Iterative (a count of values still to skip) rather than recursive,
    /// so 16 KiB of nested array headers cannot overflow the stack.
    /// </summary>
    public void Skip()
    {
        long pending = 1;
        while (pending > 0)
        {
            pending--;
            int start = _position;
            MessagePackType type = PeekType();
            byte code = _data[_position];
            switch (type)
            {
                case MessagePackType.Map:
                    pending += 2L * ReadMapHeader();
                    break;
                case MessagePackType.Array:
                    pending += ReadArrayHeader();
                    break;
                case MessagePackType.Integer:
                    ReadInt64Unchecked();
                    break;
                case MessagePackType.Nil:
                case MessagePackType.Boolean:
                    _position++;
                    break;
                case MessagePackType.Float:
                    _position++;
                    Take(code == MessagePackCode.Float32 ? 4 : 8);
                    break;
                case MessagePackType.String:
                    ReadStringBytes();
                    break;
                case MessagePackType.Binary:
                    _position++;
                    Take(code switch
                    {
                        MessagePackCode.Bin8 => Take(1)[0],
                        MessagePackCode.Bin16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
                        _ => ReadLength32(),
                    });
                    break;
                case MessagePackType.Extension:
                    _position++;
                    int dataLength = code switch
                    {
                        MessagePackCode.FixExt1 => 1,
                        MessagePackCode.FixExt2 => 2,
                        MessagePackCode.FixExt4 => 4,
                        MessagePackCode.FixExt8 => 8,
                        MessagePackCode.FixExt16 => 16,
                        MessagePackCode.Ext8 => Take(1)[0],
                        MessagePackCode.Ext16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
                        _ => ReadLength32(),
                    };
                    Take(1 + dataLength); // type byte, then data
                    break;
                default:
                    ThrowAt(start, "byte 0xc1 is never used in MessagePack");
                    break;
            }
        }
    }

    /// <summary>Name of a type for error messages ("expected a string but found an integer").</summary>
    public static string Describe(MessagePackType type) => type switch
    {
        MessagePackType.Integer => "an integer",
        MessagePackType.Nil => "nil",
        MessagePackType.Boolean => "a boolean",
        MessagePackType.Float => "a float",
        MessagePackType.String => "a string",
        MessagePackType.Binary => "binary data",
        MessagePackType.Array => "an array",
        MessagePackType.Map => "a map",
        MessagePackType.Extension => "an extension value",
        _ => "the reserved byte 0xc1",
    };

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static MessagePackType GetType(byte code) => code switch
    {
        <= MessagePackCode.MaxPositiveFixInt => MessagePackType.Integer,
        <= MessagePackCode.MaxFixMap => MessagePackType.Map,
        <= MessagePackCode.MaxFixArray => MessagePackType.Array,
        <= MessagePackCode.MaxFixStr => MessagePackType.String,
        MessagePackCode.Nil => MessagePackType.Nil,
        MessagePackCode.NeverUsed => MessagePackType.NeverUsed,
        MessagePackCode.False or MessagePackCode.True => MessagePackType.Boolean,
        MessagePackCode.Bin8 or MessagePackCode.Bin16 or MessagePackCode.Bin32 => MessagePackType.Binary,
        MessagePackCode.Ext8 or MessagePackCode.Ext16 or MessagePackCode.Ext32 => MessagePackType.Extension,
        MessagePackCode.Float32 or MessagePackCode.Float64 => MessagePackType.Float,
        >= MessagePackCode.UInt8 and <= MessagePackCode.Int64 => MessagePackType.Integer,
        >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16 => MessagePackType.Extension,
        MessagePackCode.Str8 or MessagePackCode.Str16 or MessagePackCode.Str32 => MessagePackType.String,
        MessagePackCode.Array16 or MessagePackCode.Array32 => MessagePackType.Array,
        MessagePackCode.Map16 or MessagePackCode.Map32 => MessagePackType.Map,
        _ => MessagePackType.Integer, // 0xe0..0xff: negative fixint
    };

    /// <summary>Consumes the code byte of a value that must be of <paramref name="expected"/> type.</summary>
    private byte ReadCode(MessagePackType expected, string expectedDescription)
    {
        if (End)
        {
            ThrowTruncated(expectedDescription);
        }

        byte code = _data[_position];
        MessagePackType actual = GetType(code);
        if (actual != expected)
        {
            ThrowAt(_position, $"expected {expectedDescription} but found {Describe(actual)} (0x{code:x2})");
        }

        _position++;
        return code;
    }

    /// <summary>Skips an integer of any width, including uint 64 values beyond long (skipping must not reject them).</summary>
    private void ReadInt64Unchecked()
    {
        byte code = _data[_position++];
        Take(code switch
        {
            MessagePackCode.UInt8 or MessagePackCode.Int8 => 1,
            MessagePackCode.UInt16 or MessagePackCode.Int16 => 2,
            MessagePackCode.UInt32 or MessagePackCode.Int32 => 4,
            MessagePackCode.UInt64 or MessagePackCode.Int64 => 8,
            _ => 0,
        });
    }

    private int ReadLength32()
    {
        int start = _position;
        uint length = BinaryPrimitives.ReadUInt32BigEndian(Take(4));
        if (length > int.MaxValue)
        {
            ThrowAt(start, $"length {length} is larger than the message");
        }

        return (int)length;
    }

    /// <summary>Every element takes at least one byte, so a count beyond the remaining bytes is a lie; reject it before any loop trusts it.</summary>
    private readonly void EnsurePlausibleCount(int count, int bytesPerEntry)
    {
        if ((long)count * bytesPerEntry > _data.Length - _position)
        {
            ThrowTruncated($"{count} entries");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            ThrowTruncated($"{count} more bytes");
        }

        ReadOnlySpan<byte> slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    [DoesNotReturn]
    private readonly void ThrowTruncated(string expected) =>
        throw new MessagePackReaderException($"MessagePack data ends early at offset {_position}: expected {expected}");

    [DoesNotReturn]
    private static void ThrowAt(int offset, string message) =>
        throw new MessagePackReaderException($"Invalid MessagePack at offset {offset}: {message}");
}
