using System.Net;
using System.Net.WebSockets;
using System.Text;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace MarketPush.IntegrationTests;

/// <summary>
/// <see cref="StreamOptions.SocketWriteMode"/> over Kestrel's real socket transport with ClientWebSocket: a minimal
/// Kestrel host with only the stream endpoint and the direct-upgrade middleware (the server's own option mapping is
/// not needed to reach the setting). In both modes the client gets the welcome and then every broadcast message
/// complete and in order, and the close handshake ends it; <c>Socket</c> writes straight to the socket, <c>Pipe</c>
/// never does.
/// </summary>
public sealed class SocketWriteModeTests
{
    [Theory]
    [InlineData(SocketWriteMode.Socket)]
    [InlineData(SocketWriteMode.Pipe)]
    public async Task EachMode_DeliversEveryMessageInOrder_OverKestrelsSocketTransport(SocketWriteMode mode)
    {
        using var timeout = new CancellationTokenSource(ServerScope.TestTimeout);
        CancellationToken token = timeout.Token;
        await using StreamServer stream = CreateStreamServer(new StreamOptions { SocketWriteMode = mode, CloseTimeoutMs = 2_000 });
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(stream.UseDirectUpgrade)));
        await using WebApplication app = builder.Build();
        app.Map(stream.Options.Path, stream.Endpoint.HandleAsync);
        await app.StartAsync(token);
        try
        {
            var uri = new Uri(app.Urls.Single().Replace("http://", "ws://", StringComparison.Ordinal) + stream.Options.Path);
            using var client = new ClientWebSocket();
            client.Options.KeepAliveInterval = TimeSpan.Zero;
            client.Options.CollectHttpResponseDetails = true;
            await client.ConnectAsync(uri, token);
            Assert.Equal(HttpStatusCode.SwitchingProtocols, client.HttpStatusCode);
            Assert.Contains("\"welcome\"", await ReceiveTextAsync(client, token), StringComparison.Ordinal);
            while (stream.Sessions.Count == 0)
            {
                await Task.Delay(5, token);
            }

            // Bursts of messages of varied sizes (some several KiB, so writes span several pipe blocks or a partial
            // send), each burst while the previous one may still be in flight.
            const int Bursts = 20;
            const int PerBurst = 10;
            for (int burst = 0; burst < Bursts; burst++)
            {
                for (int i = 0; i < PerBurst; i++)
                {
                    int n = (burst * PerBurst) + i;
                    using OutboundMessage message = stream.Frames.CreateMessage(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(Body(n)));
                    Assert.Equal(1, stream.Broadcast(message));
                }

                await Task.Yield();
            }

            for (int n = 0; n < Bursts * PerBurst; n++)
            {
                Assert.Equal(Body(n), await ReceiveTextAsync(client, token));
            }

            Session session = Assert.IsType<Session>(Assert.Single(stream.Sessions.Snapshot()));
            var connection = Assert.IsType<Connection>(session.Transport);
            Assert.Equal(mode == SocketWriteMode.Socket, connection.WritesToSocket);
            Assert.Equal(mode == SocketWriteMode.Socket, connection.SocketWrites > 0);
            Assert.Equal(1, stream.DirectUpgrades);

            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, token);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
            while (stream.Sessions.Count != 0)
            {
                await Task.Delay(5, token);
            }

            Assert.Equal(DisconnectReasons.ClientClosed, session.CloseReason);
        }
        finally
        {
            await stream.ShutdownAsync();
            await app.StopAsync(CancellationToken.None);
        }
    }

    // The transport as the composition root builds it, without market data (the welcome and broadcasts need none).
    private static StreamServer CreateStreamServer(StreamOptions options)
    {
        var frames = new FrameBuilder(new FramePool(), options.CompressionThresholdBytes);
        var messages = new ServerMessages(frames, options.HeartbeatMs, TimeProvider.System);
        var commands = new CommandHandler(messages);
        var sessions = new SessionFactory(frames, messages, commands, options.QueueMaxFrames, options.QueueMaxBytes);
        return new StreamServer(options, frames, sessions);
    }

    private static string Body(int n) => $"{{\"n\":{n},\"pad\":\"{new string((char)('a' + (n % 26)), (n % 7) * 1100)}\"}}";

    private static async Task<string> ReceiveTextAsync(ClientWebSocket client, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        int length = 0;
        while (true)
        {
            ValueWebSocketReceiveResult result = await client.ReceiveAsync(buffer.AsMemory(length), token);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
    }
}
