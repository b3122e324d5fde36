using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace MarketPush.IntegrationTests;

/// <summary>Receive helpers for ClientWebSocket: whole messages, JSON, skipping heartbeat messages.</summary>
internal static class ClientMessages
{
    /// <summary>One whole message (all its fragments) and how many ReceiveAsync calls it took.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Data, int Frames)> ReceiveMessageAsync(this ClientWebSocket client, CancellationToken cancellationToken)
    {
        using var data = new MemoryStream();
        byte[] buffer = new byte[8 * 1024];
        int frames = 0;
        while (true)
        {
            WebSocketReceiveResult result = await client.ReceiveAsync(buffer, cancellationToken);
            frames++;
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, [], frames);
            }

            data.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, data.ToArray(), frames);
            }
        }
    }

    /// <summary>The next text message that is not a <c>heartbeat</c>.</summary>
    public static async Task<string> ReceiveTextAsync(this ClientWebSocket client, CancellationToken cancellationToken)
    {
        while (true)
        {
            (WebSocketMessageType type, byte[] data, _) = await client.ReceiveMessageAsync(cancellationToken);
            Assert.Equal(WebSocketMessageType.Text, type);
            string text = Encoding.UTF8.GetString(data);
            if (!text.Contains("\"type\":\"heartbeat\"", StringComparison.Ordinal))
            {
                return text;
            }
        }
    }

    public static async Task<JsonElement> ReceiveJsonAsync(this ClientWebSocket client, CancellationToken cancellationToken)
    {
        string text = await client.ReceiveTextAsync(cancellationToken);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static Task SendTextAsync(this ClientWebSocket client, string text, CancellationToken cancellationToken) =>
        client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>Reads the welcome message and checks its type.</summary>
    public static async Task<JsonElement> ReceiveWelcomeAsync(this ClientWebSocket client, CancellationToken cancellationToken)
    {
        JsonElement welcome = await client.ReceiveJsonAsync(cancellationToken);
        Assert.Equal("welcome", welcome.GetProperty("type").GetString());
        return welcome;
    }
}
