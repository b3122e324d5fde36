using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>Error replies of PROTOCOL.md over the real server: each code, the id echo, the 1008 limit, the subscription limit.</summary>
public sealed class PipelineErrorTests
{
    [Fact]
    public async Task EveryErrorCode_IsRepliedWithTheCommandsId_AndTheConnectionStaysOpen()
    {
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync(options => options.MaxCommandsPerSecond = 2);
        await using MarketClient client = await MarketClient.ConnectAsync(server);
        await client.ReceiveTypeAsync("welcome", server.Token);

        (string Command, string Code, long? Id)[] cases =
        [
            ("not json", "bad_request", null),
            ("""{"op":"subscribe","id":1,"symbols":"SYM0001"}""", "bad_request", 1),
            ("""{"op":"subscribe","id":2,"symbols":["SYM0001"],"channels":["quotes"]}""", "bad_request", 2),
            ("""{"op":"subscribe","id":3,"symbols":["SYM0001"],"depth":7}""", "bad_request", 3),
            ("""{"op":"subscribe","id":4,"symbols":["SYM0001"],"maxRate":-1}""", "bad_request", 4),
            ("""{"op":"subscribe","id":5,"symbols":["SYM0001"],"snapshot":"yes"}""", "bad_request", 5),
            ("""{"op":"unsubscribe","id":6}""", "bad_request", 6),
            ("""{"op":"teleport","id":7}""", "unknown_op", 7),
            ("""{"id":8}""", "bad_request", 8),
        ];
        foreach ((string command, string code, long? id) in cases)
        {
            await client.SendAsync(command, server.Token);
            JsonElement error = (await client.ReceiveTypeAsync("error", server.Token)).Message;
            Assert.Equal(code, error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            if (id is null)
            {
                Assert.False(error.TryGetProperty("id", out _));
            }
            else
            {
                Assert.Equal(id, error.GetProperty("id").GetInt64());
            }
        }

        await client.Socket.SendAsync(Encoding.UTF8.GetBytes("""{"op":"ping","id":9}"""), WebSocketMessageType.Binary, true, server.Token);
        JsonElement binaryOnJson = (await client.ReceiveTypeAsync("error", server.Token)).Message;
        Assert.Equal("bad_request", binaryOnJson.GetProperty("code").GetString());

        // 2 commands/s with a burst of 10: a quick run of pings outruns it, and the excess is refused with its id.
        for (int i = 0; i < 14; i++)
        {
            await client.SendAsync($$"""{"op":"ping","id":{{100 + i}}}""", server.Token);
        }

        var replies = new List<JsonElement>();
        for (int i = 0; i < 14; i++)
        {
            replies.Add((await client.ReceiveUntilAsync(m => m.GetProperty("type").GetString() is "pong" or "error", server.Token)).Message);
        }

        JsonElement[] limited = [.. replies.Where(r => r.GetProperty("type").GetString() == "error")];
        Assert.InRange(limited.Length, 3, 4);
        Assert.All(limited, r => Assert.Equal("rate_limited", r.GetProperty("code").GetString()));
        Assert.Equal(113, limited[^1].GetProperty("id").GetInt64());
        Assert.Equal(100, replies[0].GetProperty("id").GetInt64());

        // Still open: once the bucket refills, commands work again. The wait is the behaviour: the real server's bucket
        // refills on the system clock, so time has to pass (no event marks a refill).
        await Task.Delay(700, server.Token);
        await client.SendAsync("""{"op":"ping","id":200}""", server.Token);
        Assert.Equal(200, (await client.ReceiveTypeAsync("pong", server.Token)).Message.GetProperty("id").GetInt64());
        Assert.Equal(WebSocketState.Open, client.Socket.State);
    }

    [Fact]
    public async Task MessagePackConnection_GetsBadRequest_ForATextFrameAndForBytesThatAreNotACommand()
    {
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync();
        await using MarketClient client = await MarketClient.ConnectAsync(server, messagePack: true);
        await client.ReceiveTypeAsync("welcome", server.Token);

        await client.Socket.SendAsync(Encoding.UTF8.GetBytes("""{"op":"ping"}"""), WebSocketMessageType.Text, true, server.Token);
        JsonElement textOnMessagePack = (await client.ReceiveTypeAsync("error", server.Token)).Message;
        await client.Socket.SendAsync(new byte[] { 0x92, 0x01 }, WebSocketMessageType.Binary, true, server.Token);
        JsonElement notAMap = (await client.ReceiveTypeAsync("error", server.Token)).Message;
        await client.SendAsync("""{"op":"subscribe","id":12,"symbols":["SYM0001"],"channels":["book"],"depth":3}""", server.Token);
        JsonElement badDepth = (await client.ReceiveTypeAsync("error", server.Token)).Message;

        Assert.Equal("bad_request", textOnMessagePack.GetProperty("code").GetString());
        Assert.Equal("bad_request", notAMap.GetProperty("code").GetString());
        Assert.Equal("bad_request", badDepth.GetProperty("code").GetString());
        Assert.Equal(12, badDepth.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task MoreErrorRepliesThanAllowedInTheWindow_ClosesWith1008_AfterTheLastReply()
    {
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync(options => options.MaxBadCommands = 5);
        await using MarketClient offender = await MarketClient.ConnectAsync(server);
        await using MarketClient atTheLimit = await MarketClient.ConnectAsync(server);
        await offender.ReceiveTypeAsync("welcome", server.Token);
        await atTheLimit.ReceiveTypeAsync("welcome", server.Token);

        for (int i = 0; i < 6; i++)
        {
            await offender.SendAsync($$"""{"op":"nope","id":{{i}}}""", server.Token);
        }

        for (int i = 0; i < 5; i++)
        {
            await atTheLimit.SendAsync("""{"op":"subscribe"}""", server.Token);
        }

        int errors = 0;
        while (await offender.ReceiveAsync(server.Token) is { } message)
        {
            Assert.Equal("error", message.Type);
            errors++;
        }

        Assert.Equal(6, errors);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, offender.Socket.CloseStatus);
        Assert.Contains("bad commands", offender.Socket.CloseStatusDescription, StringComparison.Ordinal);

        for (int i = 0; i < 5; i++)
        {
            await atTheLimit.ReceiveTypeAsync("error", server.Token);
        }

        await atTheLimit.SendAsync("""{"op":"ping","id":1}""", server.Token);
        Assert.Equal("pong", (await atTheLimit.ReceiveTypeAsync("pong", server.Token)).Type);
    }

    [Fact]
    public async Task SubscriptionsPastTheConnectionLimit_AreRejectedWithLimit()
    {
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync(options => options.MaxSubscriptions = 4);
        await using MarketClient client = await MarketClient.ConnectAsync(server);
        await client.ReceiveTypeAsync("welcome", server.Token);

        await client.SendAsync("""{"op":"subscribe","id":1,"symbols":["SYM0001","SYM0002","SYM0003"],"channels":["quote","trade"]}""", server.Token);
        JsonElement subscribed = (await client.ReceiveTypeAsync("subscribed", server.Token)).Message;

        Assert.Equal(["SYM0001", "SYM0002"], subscribed.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        JsonElement rejected = Assert.Single(subscribed.GetProperty("rejected").EnumerateArray());
        Assert.Equal("SYM0003", rejected.GetProperty("symbol").GetString());
        Assert.Equal("limit", rejected.GetProperty("reason").GetString());
    }
}
