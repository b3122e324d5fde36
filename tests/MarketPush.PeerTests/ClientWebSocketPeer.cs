using System.Buffers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace MarketPush.PeerTests;

// .NET's ClientWebSocket (System.Net.WebSockets.ManagedWebSocket) with DangerousDeflateOptions, run in-process as
// a peer. Its receive loop runs on the thread pool and reports into a PeerTranscript exactly like the script peers
// do. KeepAliveInterval is zero so the client sends no keep-alive pongs of its own: only its automatic answers to
// the server's pings keep the session alive.
internal static class ClientWebSocketPeer
{
    private const int TextEchoLimit = 600;

    public static async Task RunAsync(Uri uri, PeerTranscript transcript, string? closeOn, CancellationToken cancellationToken)
    {
        // Milliseconds since start in each line, like the script peers, to tell a slow peer from a late server.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var ws = new ClientWebSocket();
        ws.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        ws.Options.CollectHttpResponseDetails = true;
        try
        {
            await ws.ConnectAsync(uri, cancellationToken);
            var extensions = ws.HttpResponseHeaders is not null && ws.HttpResponseHeaders.TryGetValue("Sec-WebSocket-Extensions", out var values)
                ? string.Join(", ", values)
                : null;
            transcript.Add(new PeerEvent { Event = "open", Extensions = extensions, Raw = $"t={clock.ElapsedMilliseconds} open extensions={extensions ?? "(none)"}" });

            var buffer = new byte[16 * 1024];
            var message = new ArrayBufferWriter<byte>();
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    // Complete the handshake the server started (1001 on shutdown); ManagedWebSocket does not reply by itself.
                    if (ws.State == WebSocketState.CloseReceived)
                    {
                        await ws.CloseOutputAsync(result.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", cancellationToken);
                    }

                    AddClose(transcript, ws, clock);
                    return;
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = message.WrittenSpan;
                var isText = result.MessageType == WebSocketMessageType.Text;
                var text = isText && bytes.Length <= TextEchoLimit ? Encoding.UTF8.GetString(bytes) : null;
                var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
                transcript.Add(new PeerEvent
                {
                    Event = "message",
                    Kind = isText ? "text" : "binary",
                    Length = bytes.Length,
                    Sha256 = sha,
                    Text = text,
                    Raw = $"t={clock.ElapsedMilliseconds} message {(isText ? "text" : "binary")} length={bytes.Length} sha256={sha} text={text}",
                });
                var isCloseCommand = isText && closeOn is not null && bytes.SequenceEqual(Encoding.UTF8.GetBytes(closeOn));
                message.Clear();
                if (isCloseCommand)
                {
                    // CloseAsync sends 1000 and waits for the server's close frame, whose code is what we report.
                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "peer done", cancellationToken);
                    AddClose(transcript, ws, clock);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            transcript.Add(new PeerEvent { Event = "error", Message = ex.Message, Raw = $"t={clock.ElapsedMilliseconds} error {ex.GetType().Name}: {ex.Message}" });
        }
    }

    private static void AddClose(PeerTranscript transcript, ClientWebSocket ws, System.Diagnostics.Stopwatch clock)
    {
        var code = ws.CloseStatus is { } status ? (int)status : (int?)null;
        transcript.Add(new PeerEvent
        {
            Event = "close",
            Code = code,
            Reason = ws.CloseStatusDescription,
            Raw = $"t={clock.ElapsedMilliseconds} close code={code} reason={ws.CloseStatusDescription}",
        });
    }
}
