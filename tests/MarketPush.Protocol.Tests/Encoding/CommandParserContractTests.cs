using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Tests.Encodings;

/// <summary>
/// What every command parser must do, whatever the encoding (PROTOCOL.md "Client to server"). Each test states
/// the command as JSON text; the MessagePack subclass converts it to the equivalent MessagePack map.
/// </summary>
public abstract class CommandParserContractTests
{
    protected abstract bool TryParse(string json, out ClientCommand? command, out CommandError error);

    [Fact]
    public void Subscribe_WithEveryField_IsParsed()
    {
        ClientCommand command = Parse("""{"op":"subscribe","id":1,"symbols":["AAPL","ZZZZ"],"channels":["book","quote"],"snapshot":false,"maxRate":2.5,"depth":20}""");

        Assert.Equal(CommandOp.Subscribe, command.Op);
        Assert.Equal(1, command.Id);
        Assert.Equal(["AAPL", "ZZZZ"], command.Symbols);
        Assert.Equal(MarketChannels.Book | MarketChannels.Quote, command.Channels);
        Assert.True(command.ChannelsSpecified);
        Assert.False(command.Snapshot);
        Assert.Equal(2.5, command.MaxRate);
        Assert.True(command.MaxRateSpecified);
        Assert.Equal(20, command.Depth);
        Assert.True(command.DepthSpecified);
    }

    [Fact]
    public void Subscribe_AppliesTheProtocolDefaults()
    {
        ClientCommand command = Parse("""{"op":"subscribe","symbols":["AAPL"]}""");

        Assert.Null(command.Id);
        Assert.Equal(MarketChannels.Quote, command.Channels);
        Assert.False(command.ChannelsSpecified);
        Assert.True(command.Snapshot);
        Assert.Equal(0, command.MaxRate);
        Assert.False(command.MaxRateSpecified);
        Assert.Equal(10, command.Depth);
        Assert.False(command.DepthSpecified);
    }

    [Fact]
    public void Unsubscribe_DefaultsToAllChannels()
    {
        ClientCommand command = Parse("""{"op":"unsubscribe","id":2,"symbols":["AAPL"]}""");

        Assert.Equal(CommandOp.Unsubscribe, command.Op);
        Assert.Equal(MarketChannels.All, command.Channels);
    }

    [Fact]
    public void PingAndSymbols_AreParsed_WithOptionalPrefix()
    {
        Assert.Equal(CommandOp.Ping, Parse("""{"op":"ping","id":9007199254740991}""").Op);
        ClientCommand symbols = Parse("""{"id":3,"prefix":"AA","op":"symbols"}""");
        Assert.Equal(CommandOp.Symbols, symbols.Op);
        Assert.Equal("AA", symbols.Prefix);
        Assert.Equal(3, symbols.Id);
        Assert.Null(Parse("""{"op":"symbols","prefix":null}""").Prefix);
    }

    [Fact]
    public void UnknownFields_AreIgnored()
    {
        ClientCommand command = Parse("""{"op":"ping","extra":{"nested":[1,2,{"x":null}]},"other":"y"}""");

        Assert.Equal(CommandOp.Ping, command.Op);
    }

    [Fact]
    public void FractionalMaxRate_AndZero_AreAccepted()
    {
        Assert.Equal(0.25, Parse("""{"op":"subscribe","symbols":[],"maxRate":0.25}""").MaxRate);
        Assert.Equal(0, Parse("""{"op":"subscribe","symbols":[],"maxRate":0}""").MaxRate);
    }

    [Theory]
    [InlineData("""{"op":"subscribe","id":7,"symbols":"AAPL"}""", "'symbols' must be an array of strings")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL",1]}""", "'symbols' must be an array of strings")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"channels":["quote","news"]}""", "unknown channel 'news'")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"channels":[]}""", "'channels' must name at least one channel")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"channels":"quote"}""", "'channels' must be an array of strings")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"depth":7}""", "'depth' must be one of 1, 5, 10, 20, 50")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"depth":"10"}""", "'depth' must be one of 1, 5, 10, 20, 50")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"depth":10.5}""", "'depth' must be one of 1, 5, 10, 20, 50")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"maxRate":-1}""", "'maxRate' must be a finite number >= 0")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"maxRate":"1"}""", "'maxRate' must be a number")]
    [InlineData("""{"op":"subscribe","id":7,"symbols":["AAPL"],"snapshot":1}""", "'snapshot' must be a boolean")]
    [InlineData("""{"op":"symbols","id":7,"prefix":5}""", "'prefix' must be a string")]
    [InlineData("""{"op":"subscribe","id":7}""", "'subscribe' needs 'symbols'")]
    [InlineData("""{"op":"unsubscribe","id":7}""", "'unsubscribe' needs 'symbols'")]
    [InlineData("""{"op":"ping","id":7,"id":8}""", "duplicate field 'id'")]
    public void InvalidFields_AreBadRequests_ThatKeepTheValidId(string json, string messagePart)
    {
        CommandError error = Fail(json);

        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        Assert.Equal(7, error.Id);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInvalidField_BeforeTheId_StillReportsTheId()
    {
        CommandError error = Fail("""{"op":"subscribe","depth":3,"symbols":["AAPL"],"id":42}""");

        Assert.Equal(42, error.Id);
        Assert.Equal(ErrorCodes.BadRequest, error.Code);
    }

    [Theory]
    [InlineData("""{"op":"ping","id":-1}""")]
    [InlineData("""{"op":"ping","id":9007199254740992}""")]
    [InlineData("""{"op":"ping","id":1.5}""")]
    [InlineData("""{"op":"ping","id":"1"}""")]
    public void AnIdOutsideZeroTo2Pow53_IsABadRequestWithoutId(string json)
    {
        CommandError error = Fail(json);

        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        Assert.Null(error.Id);
        Assert.Contains("'id' must be an integer from 0 to 9007199254740991", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOp_IsUnknownOp_WithTheId()
    {
        CommandError error = Fail("""{"op":"trade","id":5}""");

        Assert.Equal(ErrorCodes.UnknownOp, error.Code);
        Assert.Equal(5, error.Id);
        Assert.Contains("'trade'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":5}""", "missing 'op'")]
    [InlineData("""{"op":5,"id":5}""", "'op' must be a string")]
    [InlineData("""{"op":"Ping","id":5}""", "unknown op 'Ping'")]
    public void MissingOrWrongOp_IsReported(string json, string messagePart)
    {
        CommandError error = Fail(json);

        Assert.Equal(5, error.Id);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[1,2]""")]
    [InlineData(""""ping"""")]
    [InlineData("""42""")]
    public void ANonObjectCommand_IsABadRequest(string json)
    {
        CommandError error = Fail(json);

        Assert.Equal(ErrorCodes.BadRequest, error.Code);
        Assert.Null(error.Id);
    }

    [Fact]
    public void AVeryLongUnknownOp_IsEchoedShortened()
    {
        CommandError error = Fail("{\"op\":\"" + new string('x', 5000) + "\"}");

        Assert.True(error.Message.Length < 200, error.Message);
    }

    protected ClientCommand Parse(string json)
    {
        Assert.True(TryParse(json, out ClientCommand? command, out CommandError error), $"{error.Code}: {error.Message}");
        return command!;
    }

    protected CommandError Fail(string json)
    {
        Assert.False(TryParse(json, out ClientCommand? command, out CommandError error));
        Assert.Null(command);
        return error;
    }
}
