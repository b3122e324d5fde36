using System.Buffers.Binary;
using System.Text;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>A minimal MessagePack decoder for flat maps (str keys; str, int, bool values), independent of the server's writer.</summary>
internal static class TestMessagePack
{
    public static Dictionary<string, object> DecodeMap(ReadOnlySpan<byte> data)
    {
        int position = 0;
        byte code = data[position++];
        int count;
        if ((code & 0xF0) == 0x80)
        {
            count = code & 0x0F;
        }
        else
        {
            Assert.Equal(0xDE, code);
            count = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            position += 2;
        }

        var map = new Dictionary<string, object>();
        for (int i = 0; i < count; i++)
        {
            string key = Assert.IsType<string>(ReadValue(data, ref position));
            map[key] = ReadValue(data, ref position);
        }

        Assert.Equal(data.Length, position);
        return map;
    }

    private static object ReadValue(ReadOnlySpan<byte> data, ref int position)
    {
        byte code = data[position++];
        switch (code)
        {
            case <= 0x7F:
                return (long)code;
            case >= 0xA0 and <= 0xBF:
                return ReadString(data, ref position, code & 0x1F);
            case 0xD9:
                return ReadString(data, ref position, data[position++]);
            case 0xC2:
                return false;
            case 0xC3:
                return true;
            case 0xCC:
                return (long)data[position++];
            case 0xCD:
                position += 2;
                return (long)BinaryPrimitives.ReadUInt16BigEndian(data[(position - 2)..]);
            case 0xCE:
                position += 4;
                return (long)BinaryPrimitives.ReadUInt32BigEndian(data[(position - 4)..]);
            case 0xCF:
                position += 8;
                return (long)BinaryPrimitives.ReadUInt64BigEndian(data[(position - 8)..]);
            default:
                throw new Xunit.Sdk.XunitException($"unexpected MessagePack code 0x{code:x2}");
        }
    }

    private static string ReadString(ReadOnlySpan<byte> data, ref int position, int length)
    {
        string value = Encoding.UTF8.GetString(data.Slice(position, length));
        position += length;
        return value;
    }
}
