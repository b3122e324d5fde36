using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MarketPush.LoadGen.Tests;

/// <summary>
/// A tiny in-process ASP.NET Core WebSocket server that plays a fixed script per connection: welcome, subscribed, quotes
/// with seq 1..N (optionally skipping one), then a close with a chosen code. It lets the runner's end-to-end tests know
/// exactly what a correct runner must report. Optionally refuses some upgrade requests with 503.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerScript _script;
    private int _requests;

    private ScriptedServer(WebApplication app, ServerScript script)
    {
        _app = app;
        _script = script;
    }

    public int Port { get; private set; }

    public static async Task<ScriptedServer> StartAsync(ServerScript script)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        var server = new ScriptedServer(app, script);
        app.UseWebSockets(script.PingInterval is TimeSpan ping
            ? new WebSocketOptions { KeepAliveInterval = ping, KeepAliveTimeout = ping * 3 }
            : new WebSocketOptions());
        app.Map("/v1/stream", server.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        int request = Interlocked.Increment(ref _requests);
        if (_script.RefusedRequests.Contains(request))
        {
            context.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
            return;
        }

        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = _script.EnableCompression });
        CancellationToken token = context.RequestAborted;
        await SendAsync(socket, """{"type":"welcome","session":"s","server":"scripted/1.0","heartbeatMs":0,"encoding":"json","compression":false}""", token);

        byte[] buffer = new byte[16 * 1024];
        WebSocketReceiveResult received = await socket.ReceiveAsync(buffer, token);
        if (received.MessageType == WebSocketMessageType.Close)
        {
            return;
        }

        using JsonDocument command = JsonDocument.Parse(buffer.AsMemory(0, received.Count));
        string symbol = command.RootElement.GetProperty("symbols")[0].GetString()!;
        await SendAsync(socket, $$"""{"type":"subscribed","id":1,"symbols":["{{symbol}}"],"channels":["quote"],"rejected":[]}""", token);

        // Keep a receive pending: ASP.NET Core reads pongs (and the close reply) only inside ReceiveAsync.
        Task draining = DrainAsync(socket, buffer, token);
        for (long seq = 1; seq <= _script.Quotes; seq++)
        {
            if (seq == _script.SkippedSeq)
            {
                continue;
            }

            long ts = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
            string quote = $$"""{"type":"quote","symbol":"{{symbol}}","seq":{{seq}},"ts":{{ts}},"bid":10.01,"bidSize":100,"ask":10.02,"askSize":200}""";
            if (_script.FragmentBytes > 0)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(quote);
                for (int at = 0; at < bytes.Length; at += _script.FragmentBytes)
                {
                    int size = Math.Min(_script.FragmentBytes, bytes.Length - at);
                    await socket.SendAsync(bytes.AsMemory(at, size), WebSocketMessageType.Text, at + size == bytes.Length, token);
                }
            }
            else
            {
                await SendAsync(socket, quote, token);
            }

            if (_script.QuoteInterval > TimeSpan.Zero)
            {
                await Task.Delay(_script.QuoteInterval, token);
            }
        }

        await socket.CloseOutputAsync(_script.CloseCode, "scripted", token);
        await draining;
    }

    private static async Task DrainAsync(WebSocket socket, byte[] buffer, CancellationToken token)
    {
        try
        {
            while ((await socket.ReceiveAsync(buffer, token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (WebSocketException)
        {
            // The client vanished: the test's assertions will say so.
        }
    }

    private static Task SendAsync(WebSocket socket, string text, CancellationToken token) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, token);
}
