using System.Buffers.Binary;
using System.Text;

namespace MarketPush.IntegrationTests;

/// <summary>Decodes the flat MessagePack maps the server sends (str keys; str, int, bool values). Test-side, independent.</summary>
internal static class MessagePackMap
{
    public static Dictionary<string, object> Decode(byte[] data)
    {
        int position = 0;
        byte code = data[position++];
        Assert.True((code & 0xF0) == 0x80, $"expected a fixmap, got 0x{code:x2}");
        int count = code & 0x0F;
        var map = new Dictionary<string, object>();
        for (int i = 0; i < count; i++)
        {
            string key = (string)Read(data, ref position);
            map[key] = Read(data, ref position);
        }

        Assert.Equal(data.Length, position);
        return map;
    }

    private static object Read(byte[] data, ref int position)
    {
        byte code = data[position++];
        switch (code)
        {
            case <= 0x7F:
                return (long)code;
            case >= 0xA0 and <= 0xBF:
            {
                int length = code & 0x1F;
                string text = Encoding.UTF8.GetString(data, position, length);
                position += length;
                return text;
            }

            case 0xD9:
            {
                int length = data[position++];
                string text = Encoding.UTF8.GetString(data, position, length);
                position += length;
                return text;
            }

            case 0xC2:
                return false;
            case 0xC3:
                return true;
            case 0xCC:
                return (long)data[position++];
            case 0xCD:
                position += 2;
                return (long)BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position - 2));
            case 0xCE:
                position += 4;
                return (long)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(position - 4));
            case 0xCF:
                position += 8;
                return (long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(position - 8));
            default:
                throw new Xunit.Sdk.XunitException($"unexpected MessagePack code 0x{code:x2}");
        }
    }
}
