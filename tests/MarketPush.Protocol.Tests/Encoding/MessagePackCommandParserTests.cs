using System.Buffers;
using System.Text.Json;
using MarketPush.Protocol.Encodings.MessagePack;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Tests.Encodings;

public class MessagePackCommandParserTests : CommandParserContractTests
{
    protected override bool TryParse(string json, out ClientCommand? command, out CommandError error) =>
        MessagePackCommandParser.TryParse(ToMessagePack(json), out command, out error);

    [Theory]
    [InlineData("CC07", 7L)]
    [InlineData("CD0007", 7L)]
    [InlineData("CE00000007", 7L)]
    [InlineData("CF0000000000000007", 7L)]
    [InlineData("D007", 7L)]
    [InlineData("D30000000000000007", 7L)]
    [InlineData("CF001FFFFFFFFFFFFF", 9007199254740991L)]
    public void Id_IsAcceptedInEveryIntFormat(string idHex, long expected)
    {
        // {"op":"ping","id":<id>}
        byte[] data = Convert.FromHexString("82A26F70A470696E67A26964" + idHex);

        Assert.True(MessagePackCommandParser.TryParse(data, out ClientCommand? command, out _));
        Assert.Equal(expected, command!.Id);
    }

    [Fact]
    public void Id_AsUint64BeyondLong_IsABadRequestWithoutId()
    {
        byte[] data = Convert.FromHexString("82A26F70A470696E67A26964CFFFFFFFFFFFFFFFFF");

        Assert.False(MessagePackCommandParser.TryParse(data, out _, out CommandError error));
        Assert.Null(error.Id);
        Assert.Contains("'id' must be an integer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NilId_MeansNoId()
    {
        byte[] data = Convert.FromHexString("82A26F70A470696E67A26964C0");

        Assert.True(MessagePackCommandParser.TryParse(data, out ClientCommand? command, out _));
        Assert.Null(command!.Id);
    }

    [Theory]
    [InlineData("CA3E800000", 0.25)]
    [InlineData("CB3FD0000000000000", 0.25)]
    [InlineData("05", 5.0)]
    [InlineData("CD03E8", 1000.0)]
    public void MaxRate_IsAcceptedAsIntFloat32OrFloat64(string rateHex, double expected)
    {
        // {"op":"subscribe","symbols":[],"maxRate":<rate>}
        byte[] data = Convert.FromHexString("83A26F70A9737562736372696265A773796D626F6C7390A76D617852617465" + rateHex);

        Assert.True(MessagePackCommandParser.TryParse(data, out ClientCommand? command, out CommandError error), error.Message);
        Assert.Equal(expected, command!.MaxRate);
    }

    [Fact]
    public void Depth_AsAFloat_IsABadRequest()
    {
        byte[] data = Convert.FromHexString("84A26F70A9737562736372696265A773796D626F6C7390A56465707468CB4024000000000000A26964" + "01");

        Assert.False(MessagePackCommandParser.TryParse(data, out _, out CommandError error));
        Assert.Equal(1, error.Id);
        Assert.Contains("'depth'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "must be a MessagePack map")]
    [InlineData("92A26F70A470696E67", "must be a MessagePack map")]
    [InlineData("A470696E67", "must be a MessagePack map")]
    [InlineData("82A26F70A470696E67", "ends early")]
    [InlineData("81A26F70A470696E67C0", "unexpected bytes after the command map")]
    [InlineData("81A26F70DB7FFFFFFF", "ends early")]
    [InlineData("81A26F70C1", "0xc1")]
    public void MalformedMessagePack_IsABadRequest(string hex, string messagePart)
    {
        Assert.False(MessagePackCommandParser.TryParse(Convert.FromHexString(hex), out _, out CommandError error));

        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonStringKeys_AreABadRequest_ThatStillFindsTheId()
    {
        // {"op":"ping", 1: true, "id": 3}
        byte[] data = Convert.FromHexString("83A26F70A470696E6701C3A26964" + "03");

        Assert.False(MessagePackCommandParser.TryParse(data, out _, out CommandError error));
        Assert.Equal(3, error.Id);
        Assert.Contains("keys must be strings", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryWhereAStringIsExpected_IsABadRequest()
    {
        // {"op": bin8 "ping"}
        byte[] data = Convert.FromHexString("81A26F70C40470696E67");

        Assert.False(MessagePackCommandParser.TryParse(data, out _, out CommandError error));
        Assert.Contains("'op' must be a string", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The MessagePack map equivalent to a JSON document: integers as ints, other numbers as float64.</summary>
    private static byte[] ToMessagePack(string json)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
            Write(ref writer, document.RootElement);
        }
        catch (JsonException)
        {
            // Not JSON (only the JSON-specific tests send such text): a map header promising an entry that never comes.
            writer.WriteMapHeader(1);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(ref MessagePackWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                // Count properties including duplicates, which JsonElement keeps.
                writer.WriteMapHeader(element.EnumerateObject().Count());
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    writer.WriteString(property.Name);
                    Write(ref writer, property.Value);
                }

                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(element.GetArrayLength());
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Write(ref writer, item);
                }

                break;
            case JsonValueKind.String:
                writer.WriteString(element.GetString()!);
                break;
            case JsonValueKind.Number when element.TryGetInt64(out long integer):
                writer.WriteInt64(integer);
                break;
            case JsonValueKind.Number:
                writer.WriteDouble(element.GetDouble());
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                writer.WriteBoolean(element.GetBoolean());
                break;
            default:
                writer.WriteNil();
                break;
        }
    }
}
