using System.Text.Json;

namespace MarketPush.PeerTests;

// One thing a peer saw, as it reported it: a JSON line on a script peer's stdout, a POST from the browser page,
// or an object built directly by the in-process ClientWebSocket peer. Immutable; read by the test thread.
internal sealed class PeerEvent
{
    public required string Event { get; init; }
    public string? Kind { get; init; }
    public long Length { get; init; }
    public string? Sha256 { get; init; }
    public string? Text { get; init; }
    public int? Code { get; init; }
    public string? Reason { get; init; }
    public string? Extensions { get; init; }
    public string? Message { get; init; }
    public required string Raw { get; init; }

    public bool IsMessage => Event == "message";

    // Server heartbeats (`{"type":"heartbeat",...}`) arrive whenever the test is quiet for heartbeatMs; they are
    // legitimate traffic but not part of the sequence a test pushes, so assertions skip them.
    public bool IsHeartbeatMessage => IsMessage && Kind == "text" && Text is not null && TryGetType(Text) == "heartbeat";

    public static string? TryGetType(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("type", out var type)
                && type.ValueKind == JsonValueKind.String
                ? type.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static PeerEvent Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event", out var ev) || ev.ValueKind != JsonValueKind.String)
            {
                return new PeerEvent { Event = "unparsed", Raw = line };
            }

            return new PeerEvent
            {
                Event = ev.GetString()!,
                Kind = GetString(root, "kind"),
                Length = root.TryGetProperty("length", out var len) && len.ValueKind == JsonValueKind.Number ? len.GetInt64() : 0,
                Sha256 = GetString(root, "sha256"),
                Text = GetString(root, "text"),
                Code = root.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32() : null,
                Reason = GetString(root, "reason"),
                Extensions = GetString(root, "extensions"),
                Message = GetString(root, "message"),
                Raw = line,
            };
        }
        catch (JsonException)
        {
            return new PeerEvent { Event = "unparsed", Raw = line };
        }
    }

    private static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public override string ToString() => Raw;
}
