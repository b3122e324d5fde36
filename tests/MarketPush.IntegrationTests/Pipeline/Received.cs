using System.Text.Json;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>
/// One message as a test sees it: the raw payload, the local receive time (µs since the epoch) and, parsed on first
/// use, the message as JSON (MessagePack decoded). Parsing lazily keeps the receive loop cheap, so a test client
/// that measures latency does not make garbage-collection pauses of its own part of the figures.
/// </summary>
internal sealed class Received(byte[] raw, long receivedMicros, bool messagePack)
{
    private JsonElement? _message;

    public byte[] Raw { get; } = raw;

    public long ReceivedMicros { get; } = receivedMicros;

    public JsonElement Message => _message ??= messagePack
        ? JsonDocument.Parse(MessagePackJson.Decode(Raw)!.ToJsonString()).RootElement
        : JsonDocument.Parse(Raw).RootElement;

    public string Type => messagePack ? Message.GetProperty("type").GetString()! : ReadString("type"u8)!;

    public string? Symbol => Message.TryGetProperty("symbol", out JsonElement symbol) ? symbol.GetString() : null;

    public long Seq => Message.GetProperty("seq").GetInt64();

    /// <summary>The feed timestamp (µs), read straight from the JSON text without building a document.</summary>
    public long Ts => messagePack ? Message.GetProperty("ts").GetInt64() : ReadInt64("ts"u8);

    public bool IsSnapshot => Message.TryGetProperty("snapshot", out JsonElement snapshot) && snapshot.GetBoolean();

    private string? ReadString(ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(Raw);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(name))
            {
                reader.Read();
                return reader.GetString();
            }
        }

        return null;
    }

    private long ReadInt64(ReadOnlySpan<byte> name)
    {
        var reader = new Utf8JsonReader(Raw);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(name))
            {
                reader.Read();
                return reader.GetInt64();
            }
        }

        throw new Xunit.Sdk.XunitException($"no {System.Text.Encoding.UTF8.GetString(name)} in {System.Text.Encoding.UTF8.GetString(Raw)}");
    }
}
