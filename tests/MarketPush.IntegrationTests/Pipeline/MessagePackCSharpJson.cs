using System.Globalization;
using System.Text.Json;
using MessagePack;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>
/// A third decoder nobody here wrote, in-process: MessagePack-CSharp's <see cref="MessagePackReader"/> walks a message
/// the server sent and writes it out as JSON, keys in wire order, so the cross-implementation test compares it with the
/// JSON connection exactly as it does Python's and node's output. A float is written with a fraction (100.0, not 100)
/// so the integer-or-float check reads it as Python's output is read; a price must be a float64 on the wire, which
/// this reader sees by its format code (Python and node cannot tell a float32 from a float64).
/// </summary>
internal static class MessagePackCSharpJson
{
    public static JsonElement Decode(byte[] message)
    {
        var reader = new MessagePackReader(message);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteValue(ref reader, writer, key: null);
        }

        Assert.True(reader.End, $"MessagePack-CSharp read one value of {reader.Consumed} bytes from a message of {message.Length}");
        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static void WriteValue(ref MessagePackReader reader, Utf8JsonWriter writer, string? key)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                int fields = reader.ReadMapHeader();
                writer.WriteStartObject();
                for (int i = 0; i < fields; i++)
                {
                    Assert.True(reader.NextMessagePackType == MessagePackType.String, $"a map key of type {reader.NextMessagePackType}");
                    string name = reader.ReadString()!;
                    writer.WritePropertyName(name);
                    WriteValue(ref reader, writer, name);
                }

                writer.WriteEndObject();
                break;
            case MessagePackType.Array:
                int items = reader.ReadArrayHeader();
                writer.WriteStartArray();
                for (int i = 0; i < items; i++)
                {
                    // A book level is [price, size]: its first item is a price.
                    WriteValue(ref reader, writer, key is "bids" or "asks" ? (i == 0 ? "price" : "size") : key);
                }

                writer.WriteEndArray();
                break;
            case MessagePackType.String:
                writer.WriteStringValue(reader.ReadString());
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    writer.WriteNumberValue(reader.ReadUInt64());
                }
                else
                {
                    writer.WriteNumberValue(reader.ReadInt64());
                }

                break;
            case MessagePackType.Float:
                Assert.True(
                    reader.NextCode == MessagePackCode.Float64,
                    $"{key} is a float32 (0x{reader.NextCode:x2}); PROTOCOL.md says prices are float64");
                string text = reader.ReadDouble().ToString("R", CultureInfo.InvariantCulture);
                writer.WriteRawValue(text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0");
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
            default:
                throw new Xunit.Sdk.XunitException($"{key}: MessagePack type {reader.NextMessagePackType} is not in PROTOCOL.md");
        }
    }
}
