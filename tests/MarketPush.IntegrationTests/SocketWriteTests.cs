using System.Text;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.IntegrationTests.Pipeline;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.IntegrationTests;

/// <summary>
/// The send loop's direct socket writes (direct-upgraded connections over Kestrel's socket transport, the default
/// <see cref="SocketWriteMode"/>): the 101, the welcome and everything after go straight to the socket, never through
/// the transport's pipe, and the client sees one ordered stream.
/// </summary>
public sealed class SocketWriteTests
{
    [Fact]
    public async Task DirectUpgradedSession_WritesToTheSocketDirectly_AndPongsComeBackInOrder()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        using RawWebSocketClient client = await server.ConnectRawAsync();
        RawFrame welcome = await client.ReadFrameAsync(server.Token);
        Assert.Contains("\"welcome\"", welcome.Text, StringComparison.Ordinal);

        // Rounds of pings sent back to back: each round's pongs may share writes, on the pipe or the socket path.
        const int Rounds = 20;
        const int PingsPerRound = 5;
        for (int round = 0; round < Rounds; round++)
        {
            byte[] burst = [.. Enumerable.Range(0, PingsPerRound).SelectMany(i => RawWebSocketClient.ClientFrame(0x89, Encoding.ASCII.GetBytes($"p{round}.{i}")))];
            await client.SendAsync(burst, server.Token);
            for (int i = 0; i < PingsPerRound; i++)
            {
                RawFrame pong = await client.ReadSignificantFrameAsync(server.Token);
                Assert.Equal(WebSocketOpcode.Pong, pong.Opcode);
                Assert.Equal($"p{round}.{i}", pong.Text);
            }
        }

        Connection connection = Assert.IsType<Connection>(Assert.Single(server.Host.Stream.Sessions.Snapshot()).Transport);
        Assert.True(connection.WritesToSocket, "a direct upgrade over the socket transport may write to the socket");
        Assert.True(connection.SocketWrites > 0, "the writes went straight to the socket");
    }

    [Fact]
    public async Task SocketWritesPipe_KeepsEveryWriteOnThePipe_AndPongsStillComeBackInOrder()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => o.SocketWriteMode = SocketWriteMode.Pipe);
        using RawWebSocketClient client = await server.ConnectRawAsync();
        Assert.Contains("\"welcome\"", (await client.ReadFrameAsync(server.Token)).Text, StringComparison.Ordinal);

        for (int i = 0; i < 20; i++)
        {
            await client.SendAsync(RawWebSocketClient.ClientFrame(0x89, Encoding.ASCII.GetBytes($"p{i}")), server.Token);
            RawFrame pong = await client.ReadSignificantFrameAsync(server.Token);
            Assert.Equal(WebSocketOpcode.Pong, pong.Opcode);
            Assert.Equal($"p{i}", pong.Text);
        }

        Connection connection = Assert.IsType<Connection>(Assert.Single(server.Host.Stream.Sessions.Snapshot()).Transport);
        Assert.False(connection.WritesToSocket, "--socket-writes pipe keeps the send loop on the output pipe");
        Assert.Equal(0, connection.SocketWrites);
    }

    [Fact]
    public async Task LiveUpdatesOverTheSocketPath_ArriveComplete_InSeqOrder_ThenTheCloseHandshakeEndsIt()
    {
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync();
        await using MarketClient client = await MarketClient.ConnectAsync(server);
        await client.ReceiveTypeAsync("welcome", server.Token);
        await client.SendAsync("""{"op":"subscribe","symbols":["SYM0001","SYM0002"],"channels":["quote","trade"]}""", server.Token);

        List<Received> messages = await client.ReceiveUntilTimeAsync(DateTimeOffset.UtcNow.AddSeconds(1), server.Token);
        var lastSeq = new Dictionary<(string?, string), long>();
        int live = 0;
        foreach (Received message in messages.Where(m => m.Type is "quote" or "trade"))
        {
            var key = (message.Symbol, message.Type);
            Assert.True(message.Seq > lastSeq.GetValueOrDefault(key), $"{key}: seq {message.Seq} after {lastSeq.GetValueOrDefault(key)}");
            lastSeq[key] = message.Seq;
            live += message.IsSnapshot ? 0 : 1;
        }

        Assert.True(live > 50, $"only {live} live updates in 1 s");
        Session session = Assert.IsType<Session>(Assert.Single(server.Host.Stream.Sessions.Snapshot()));
        Assert.True(((Connection)session.Transport!).SocketWrites > 0, "the updates went straight to the socket");

        // The close frame is still the last thing written: the client's close gets the echo and a clean end.
        await client.Socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, server.Token);
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, client.Socket.CloseStatus);
        await server.WaitForSessionCountAsync(0);
        Assert.Equal(DisconnectReasons.ClientClosed, session.CloseReason);
    }
}
