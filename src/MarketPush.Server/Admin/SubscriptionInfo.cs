using System.Text.Json.Serialization;

namespace MarketPush.Server.Admin;

/// <summary>One symbol a session subscribes to, with its channels in protocol order (quote, trade, book).</summary>
internal sealed class SubscriptionInfo
{
    public required string Symbol { get; init; }

    public required string[] Channels { get; init; }

    /// <summary>Book levels per side when the book channel is subscribed; absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? BookDepth { get; init; }
}
