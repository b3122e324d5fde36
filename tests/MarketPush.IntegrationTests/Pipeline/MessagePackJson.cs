using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>
/// MessagePack to JSON and back for the tests, written from the spec independently of the server's writer: enough
/// of the format for the protocol's maps (nil, bool, ints of every width, float 32/64, str, array, map). Decoded
/// floats stay JSON numbers with a fraction or exponent mark so tests can tell them from integers.
/// </summary>
internal static class MessagePackJson
{
    public static JsonNode? Decode(byte[] data)
    {
        int position = 0;
        JsonNode? value = Read(data, ref position);
        Assert.Equal(data.Length, position);
        return value;
    }

    /// <summary>Encodes a command (maps, arrays, strings, integers, doubles, bools) as MessagePack.</summary>
    public static byte[] Encode(JsonNode node)
    {
        var output = new List<byte>();
        Write(output, node);
        return [.. output];
    }

    private static JsonNode? Read(byte[] data, ref int p)
    {
        byte code = data[p++];
        switch (code)
        {
            case <= 0x7F:
                return JsonValue.Create((long)code);
            case >= 0xE0:
                return JsonValue.Create((long)(sbyte)code);
            case >= 0x80 and <= 0x8F:
                return ReadMap(data, ref p, code & 0x0F);
            case >= 0x90 and <= 0x9F:
                return ReadArray(data, ref p, code & 0x0F);
            case >= 0xA0 and <= 0xBF:
                return ReadString(data, ref p, code & 0x1F);
            case 0xC0:
                return null;
            case 0xC2:
                return JsonValue.Create(false);
            case 0xC3:
                return JsonValue.Create(true);
            case 0xCA:
                p += 4;
                return JsonValue.Create((double)BinaryPrimitives.ReadSingleBigEndian(data.AsSpan(p - 4)));
            case 0xCB:
                p += 8;
                return JsonValue.Create(BinaryPrimitives.ReadDoubleBigEndian(data.AsSpan(p - 8)));
            case 0xCC:
                return JsonValue.Create((long)data[p++]);
            case 0xCD:
                p += 2;
                return JsonValue.Create((long)BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(p - 2)));
            case 0xCE:
                p += 4;
                return JsonValue.Create((long)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(p - 4)));
            case 0xCF:
                p += 8;
                return JsonValue.Create((long)BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(p - 8)));
            case 0xD0:
                return JsonValue.Create((long)(sbyte)data[p++]);
            case 0xD1:
                p += 2;
                return JsonValue.Create((long)BinaryPrimitives.ReadInt16BigEndian(data.AsSpan(p - 2)));
            case 0xD2:
                p += 4;
                return JsonValue.Create((long)BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(p - 4)));
            case 0xD3:
                p += 8;
                return JsonValue.Create(BinaryPrimitives.ReadInt64BigEndian(data.AsSpan(p - 8)));
            case 0xD9:
                return ReadString(data, ref p, data[p++]);
            case 0xDA:
                p += 2;
                return ReadString(data, ref p, BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(p - 2)));
            case 0xDB:
                p += 4;
                return ReadString(data, ref p, (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(p - 4)));
            case 0xDC:
                p += 2;
                return ReadArray(data, ref p, BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(p - 2)));
            case 0xDD:
                p += 4;
                return ReadArray(data, ref p, (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(p - 4)));
            case 0xDE:
                p += 2;
                return ReadMap(data, ref p, BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(p - 2)));
            case 0xDF:
                p += 4;
                return ReadMap(data, ref p, (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(p - 4)));
            default:
                throw new Xunit.Sdk.XunitException($"unexpected MessagePack code 0x{code:x2} at {p - 1}");
        }
    }

    private static JsonValue ReadString(byte[] data, ref int p, int length)
    {
        string text = Encoding.UTF8.GetString(data, p, length);
        p += length;
        return JsonValue.Create(text);
    }

    private static JsonArray ReadArray(byte[] data, ref int p, int count)
    {
        var array = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            array.Add(Read(data, ref p));
        }

        return array;
    }

    private static JsonObject ReadMap(byte[] data, ref int p, int count)
    {
        var map = new JsonObject();
        for (int i = 0; i < count; i++)
        {
            string key = Read(data, ref p)!.GetValue<string>();
            map.Add(key, Read(data, ref p));
        }

        return map;
    }

    private static void Write(List<byte> output, JsonNode? node)
    {
        switch (node)
        {
            case null:
                output.Add(0xC0);
                break;
            case JsonObject map:
                WriteHeader(output, 0x80, 0xDE, map.Count);
                foreach ((string key, JsonNode? value) in map)
                {
                    Write(output, JsonValue.Create(key));
                    Write(output, value);
                }

                break;
            case JsonArray array:
                WriteHeader(output, 0x90, 0xDC, array.Count);
                foreach (JsonNode? item in array)
                {
                    Write(output, item);
                }

                break;
            case JsonValue value when value.TryGetValue(out string? text):
                byte[] utf8 = Encoding.UTF8.GetBytes(text);
                if (utf8.Length < 32)
                {
                    output.Add((byte)(0xA0 | utf8.Length));
                }
                else
                {
                    output.Add(0xD9);
                    output.Add((byte)utf8.Length);
                }

                output.AddRange(utf8);
                break;
            case JsonValue value when value.TryGetValue(out bool flag):
                output.Add(flag ? (byte)0xC3 : (byte)0xC2);
                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number && long.TryParse(value.ToJsonString(), out long integer):
                output.Add(0xD3);
                Span<byte> int64 = stackalloc byte[8];
                BinaryPrimitives.WriteInt64BigEndian(int64, integer);
                output.AddRange(int64.ToArray());
                break;
            case JsonValue value:
                output.Add(0xCB);
                Span<byte> float64 = stackalloc byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(float64, value.GetValue<double>());
                output.AddRange(float64.ToArray());
                break;
        }
    }

    private static void WriteHeader(List<byte> output, byte fix, byte wide, int count)
    {
        if (count < 16)
        {
            output.Add((byte)(fix | count));
        }
        else
        {
            output.Add(wide);
            output.Add((byte)(count >> 8));
            output.Add((byte)count);
        }
    }
}
