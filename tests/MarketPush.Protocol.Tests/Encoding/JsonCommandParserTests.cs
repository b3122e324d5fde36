using System.Text;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Tests.Encodings;

public class JsonCommandParserTests : CommandParserContractTests
{
    protected override bool TryParse(string json, out ClientCommand? command, out CommandError error) =>
        JsonCommandParser.TryParse(Encoding.UTF8.GetBytes(json), out command, out error);

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"op":"ping",}""")]
    [InlineData("""{"op":"ping"} {"op":"ping"}""")]
    [InlineData("""{"op":"ping"}x""")]
    [InlineData("""{"op":'ping'}""")]
    [InlineData("""{"op":"ping" /* comment */}""")]
    public void NotJson_IsABadRequest(string text)
    {
        CommandError error = Fail(text);

        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        Assert.Contains("JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EscapedFieldNamesAndValues_AreUnderstood()
    {
        ClientCommand command = Parse("""{"\u006fp":"subscribe","symbols":["A\u0041PL"],"channels":["tr\u0061de"]}""");

        Assert.Equal(["AAPL"], command.Symbols);
        Assert.Equal(MarketChannels.Trade, command.Channels);
    }

    [Fact]
    public void SurroundingWhitespace_IsAllowed()
    {
        Assert.Equal(CommandOp.Ping, Parse(" \n{ \"op\" : \"ping\" }\r\n ").Op);
    }

    [Fact]
    public void ALoneSurrogateEscape_IsABadRequest_NotACrash()
    {
        CommandError error = Fail("""{"op":"subscribe","id":3,"symbols":["\ud800"]}""");

        Assert.Equal(ErrorCodes.BadRequest, error.Code);
    }
}
