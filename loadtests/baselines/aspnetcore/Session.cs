using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace MarketPush.Baseline.AspNetCore;

/// <summary>
/// One connection: a bounded Channel of encoded messages (the oldest dropped when full, so a slow client costs a
/// bounded amount of memory and sees seq gaps), a writer task that sends them one SendAsync each, and the receive
/// loop that handles commands. The feed thread only calls <see cref="Enqueue"/>.
/// </summary>
internal sealed class Session
{
    private const int MaxCommandBytes = 16 * 1024;

    private readonly WebSocket _socket;
    private readonly SubscriptionRegistry _registry;
    private readonly BaselineOptions _options;
    private readonly bool _compression;
    private readonly Channel<byte[]> _outbound;
    private readonly HashSet<int> _symbols = [];

    public Session(WebSocket socket, SubscriptionRegistry registry, BaselineOptions options, bool compression)
    {
        _socket = socket;
        _registry = registry;
        _options = options;
        _compression = compression;
        _outbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>Called by the feed thread (and the receive loop for replies); never waits.</summary>
    public void Enqueue(byte[] message) => _outbound.Writer.TryWrite(message);

    public async Task RunAsync(CancellationToken aborted)
    {
        Enqueue(JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "welcome",
            session = Guid.NewGuid().ToString("N"),
            server = "aspnetcore-baseline/1.0",
            heartbeatMs = 0,
            encoding = "json",
            compression = _compression,
        }));
        Task writer = WriteLoopAsync(aborted);
        try
        {
            await ReceiveLoopAsync(aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client went away; clean up below.
        }
        finally
        {
            foreach (int symbol in _symbols)
            {
                _registry.Remove(symbol, this);
            }

            _outbound.Writer.TryComplete();
        }

        try
        {
            await writer.ConfigureAwait(false);
            if (_socket.State == WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, aborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    private async Task WriteLoopAsync(CancellationToken aborted)
    {
        try
        {
            await foreach (byte[] message in _outbound.Reader.ReadAllAsync(aborted).ConfigureAwait(false))
            {
                if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
                {
                    break;
                }

                // Small messages are not worth deflating one by one; the same threshold as MarketPush's default.
                WebSocketMessageFlags flags = WebSocketMessageFlags.EndOfMessage;
                if (_compression && message.Length < _options.CompressionThreshold)
                {
                    flags |= WebSocketMessageFlags.DisableCompression;
                }

                await _socket.SendAsync(message, WebSocketMessageType.Text, flags, aborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken aborted)
    {
        byte[] buffer = new byte[MaxCommandBytes];
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    await _socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", aborted).ConfigureAwait(false);
                    return;
                }

                result = await _socket.ReceiveAsync(buffer.AsMemory(length), aborted).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                length += result.Count;
            }
            while (!result.EndOfMessage);

            HandleCommand(buffer.AsSpan(0, length));
        }
    }

    private void HandleCommand(ReadOnlySpan<byte> command)
    {
        long? id = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(command.ToArray());
            JsonElement root = document.RootElement;
            if (root.TryGetProperty("id", out JsonElement idElement) && idElement.TryGetInt64(out long value))
            {
                id = value;
            }

            string? op = root.TryGetProperty("op", out JsonElement opElement) ? opElement.GetString() : null;
            switch (op)
            {
                case "subscribe":
                    Subscribe(root, id);
                    break;
                case "ping":
                    Enqueue(JsonSerializer.SerializeToUtf8Bytes(new { type = "pong", id, ts = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10 }));
                    break;
                default:
                    Error(id, "unknown_op", $"unknown op '{op}'");
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            Error(id, "bad_request", "not a valid command");
        }
    }

    private void Subscribe(JsonElement root, long? id)
    {
        var accepted = new List<string>();
        var rejected = new List<object>();
        foreach (JsonElement item in root.GetProperty("symbols").EnumerateArray())
        {
            string symbol = item.GetString() ?? "";
            if (_registry.TryGetId(symbol, out int symbolId))
            {
                accepted.Add(symbol);
                if (_symbols.Add(symbolId))
                {
                    _registry.Add(symbolId, this);
                }
            }
            else
            {
                rejected.Add(new { symbol, reason = "unknown_symbol" });
            }
        }

        Enqueue(JsonSerializer.SerializeToUtf8Bytes(new { type = "subscribed", id, symbols = accepted, channels = new[] { "quote" }, rejected }));
    }

    private void Error(long? id, string code, string message) =>
        Enqueue(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type = "error", id, code, message })));
}
