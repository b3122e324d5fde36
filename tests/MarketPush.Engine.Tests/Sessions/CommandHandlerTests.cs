using System.Text;
using System.Text.Json;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Buffers;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Tests.Sessions;

public sealed class CommandHandlerTests : IDisposable
{
    private readonly SessionTestKit _kit = new();

    private long NowMicros => _kit.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    [Fact]
    public void Welcome_IsAJsonObjectWithEveryProtocolField()
    {
        Session session = _kit.NewSession(compression: true);

        _kit.Commands.SendWelcome(session);

        JsonElement welcome = SessionTestKit.Json(Assert.Single(SessionTestKit.Drain(session)));
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        Assert.Equal(session.Id, welcome.GetProperty("session").GetString());
        Assert.StartsWith("marketpush/", welcome.GetProperty("server").GetString(), StringComparison.Ordinal);
        Assert.Equal(15_000, welcome.GetProperty("heartbeatMs").GetInt32());
        Assert.Equal("json", welcome.GetProperty("encoding").GetString());
        Assert.True(welcome.GetProperty("compression").GetBoolean());
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void Welcome_OnMessagePackSession_IsTheSameMapInABinaryFrame()
    {
        Session session = _kit.NewSession(WireEncoding.MessagePack);

        _kit.Commands.SendWelcome(session);

        ParsedFrame frame = Assert.Single(SessionTestKit.Drain(session));
        Assert.Equal(WebSocketOpcode.Binary, frame.Opcode);
        Dictionary<string, object> welcome = TestMessagePack.DecodeMap(frame.Payload);
        Assert.Equal("welcome", welcome["type"]);
        Assert.Equal(session.Id, welcome["session"]);
        Assert.Equal(ServerMessages.ServerName, welcome["server"]);
        Assert.Equal(15_000L, welcome["heartbeatMs"]);
        Assert.Equal("msgpack", welcome["encoding"]);
        Assert.Equal(false, welcome["compression"]);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void PingOp_RepliesPongWithTheIdAndTheTimeInMicroseconds()
    {
        Session session = _kit.NewSession();

        _kit.Commands.Handle(session, WebSocketOpcode.Text, """{"op":"ping","id":42}"""u8);

        JsonElement pong = SessionTestKit.Json(Assert.Single(SessionTestKit.Drain(session)));
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(42, pong.GetProperty("id").GetInt64());
        Assert.Equal(NowMicros, pong.GetProperty("ts").GetInt64());
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void PingOp_WithoutId_RepliesPongWithoutId_AndIgnoresUnknownFields()
    {
        Session session = _kit.NewSession();

        _kit.Commands.Handle(session, WebSocketOpcode.Text, """{"extra":{"nested":[1,2,{"a":null}]},"op":"ping"}"""u8);

        JsonElement pong = SessionTestKit.Json(Assert.Single(SessionTestKit.Drain(session)));
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.False(pong.TryGetProperty("id", out _));
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void PingOp_OnMessagePackSession_RepliesWithAMessagePackPong()
    {
        Session session = _kit.NewSession(WireEncoding.MessagePack);
        byte[] command = [0x82, 0xA2, (byte)'o', (byte)'p', 0xA4, (byte)'p', (byte)'i', (byte)'n', (byte)'g', 0xA2, (byte)'i', (byte)'d', 0xCD, 0x01, 0x00];

        _kit.Commands.Handle(session, WebSocketOpcode.Binary, command);

        ParsedFrame frame = Assert.Single(SessionTestKit.Drain(session));
        Assert.Equal(WebSocketOpcode.Binary, frame.Opcode);
        Dictionary<string, object> pong = TestMessagePack.DecodeMap(frame.Payload);
        Assert.Equal("pong", pong["type"]);
        Assert.Equal(256L, pong["id"]);
        Assert.Equal(NowMicros, pong["ts"]);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void UnknownOp_RepliesUnknownOpError_CarryingTheId()
    {
        Session session = _kit.NewSession();

        _kit.Commands.Handle(session, WebSocketOpcode.Text, """{"op":"teleport","id":7}"""u8);

        JsonElement error = SessionTestKit.Json(Assert.Single(SessionTestKit.Drain(session)));
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("unknown_op", error.GetProperty("code").GetString());
        Assert.Equal(7, error.GetProperty("id").GetInt64());
        Assert.Contains("teleport", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, session.ErrorReplies);
        _kit.AssertNoLeaks(session);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"ping\"")]
    [InlineData("{\"op\":\"ping\"")]
    [InlineData("{\"op\":\"ping\"} {}")]
    [InlineData("{\"op\":42}")]
    [InlineData("{\"op\":\"ping\",\"id\":-1}")]
    [InlineData("{\"op\":\"ping\",\"id\":1.5}")]
    [InlineData("{\"op\":\"ping\",\"id\":9007199254740992}")]
    [InlineData("{\"op\":\"ping\",\"id\":\"1\"}")]
    [InlineData("")]
    public void MalformedJsonCommand_RepliesBadRequest_WithoutAnId(string command)
    {
        Session session = _kit.NewSession();

        _kit.Commands.Handle(session, WebSocketOpcode.Text, Encoding.UTF8.GetBytes(command));

        JsonElement error = SessionTestKit.Json(Assert.Single(SessionTestKit.Drain(session)));
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
        Assert.False(error.TryGetProperty("id", out _));
        Assert.False(session.IsClosing); // the connection stays up
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void MissingOp_RepliesBadRequest_CarryingTheValidId()
    {
        Session session = _kit.NewSession();

        _kit.Commands.Handle(session, WebSocketOpcode.Text, """{"id":9007199254740991}"""u8);

        JsonElement error = SessionTestKit.Json(Assert.Single(SessionTestKit.Drain(session)));
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
        Assert.Equal(9007199254740991, error.GetProperty("id").GetInt64());
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void BinaryFrameOnJsonSession_RepliesBadRequest()
    {
        Session session = _kit.NewSession();

        _kit.Commands.Handle(session, WebSocketOpcode.Binary, """{"op":"ping"}"""u8);

        JsonElement error = SessionTestKit.Json(Assert.Single(SessionTestKit.Drain(session)));
        Assert.Equal("bad_request", error.GetProperty("code").GetString());
        Assert.Contains("binary", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void TextFrameOnMessagePackSession_RepliesBadRequestInMessagePack()
    {
        Session session = _kit.NewSession(WireEncoding.MessagePack);

        _kit.Commands.Handle(session, WebSocketOpcode.Text, """{"op":"ping"}"""u8);

        ParsedFrame frame = Assert.Single(SessionTestKit.Drain(session));
        Assert.Equal(WebSocketOpcode.Binary, frame.Opcode);
        Assert.Equal("bad_request", TestMessagePack.DecodeMap(frame.Payload)["code"]);
        _kit.AssertNoLeaks(session);
    }

    [Theory]
    [InlineData("93 01 02 03")]              // an array, not a map
    [InlineData("81 a2 6f 70")]              // truncated: key without value
    [InlineData("81 01 a4 70 69 6e 67")]     // integer key
    [InlineData("81 a2 6f 70 a4 70 69 6e")]  // string longer than the data
    [InlineData("81 a2 6f 70 a4 70 69 6e 67 c0")] // trailing byte after the map
    [InlineData("82 a2 6f 70 a4 70 69 6e 67 a2 69 64 ff")] // negative id
    [InlineData("c1")]                        // never-used code
    public void MalformedMessagePackCommand_RepliesBadRequest(string hex)
    {
        Session session = _kit.NewSession(WireEncoding.MessagePack);

        _kit.Commands.Handle(session, WebSocketOpcode.Binary, Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)));

        ParsedFrame frame = Assert.Single(SessionTestKit.Drain(session));
        Assert.Equal("bad_request", TestMessagePack.DecodeMap(frame.Payload)["code"]);
        _kit.AssertNoLeaks(session);
    }

    [Fact]
    public void MessagePackCommand_SkipsUnknownFieldsOfEveryType()
    {
        Session session = _kit.NewSession(WireEncoding.MessagePack);
        // {"x": [nil, true, 1.5(f64), {"k": -5}, bin8(2)], "op": "ping", "id": 3}
        byte[] command = Convert.FromHexString(
            "83" + "a178" + "95" + "c0" + "c3" + "cb3ff8000000000000" + "81a16bfb" + "c4020102" +
            "a26f70" + "a470696e67" + "a26964" + "03");

        _kit.Commands.Handle(session, WebSocketOpcode.Binary, command);

        Dictionary<string, object> pong = TestMessagePack.DecodeMap(Assert.Single(SessionTestKit.Drain(session)).Payload);
        Assert.Equal("pong", pong["type"]);
        Assert.Equal(3L, pong["id"]);
        _kit.AssertNoLeaks(session);
    }

    public void Dispose() => _kit.Dispose();
}
