namespace MarketPush.Engine.Metrics;

/// <summary>
/// The label names MarketPush metrics carry. Each has a small fixed set of values (STYLE.md: never a symbol or a
/// session id), so a scrape stays a few hundred series however many clients and symbols there are.
/// </summary>
public static class MetricLabels
{
    /// <summary>Handshake outcome: <see cref="HandshakeResult"/> in snake_case.</summary>
    public const string Result = "result";

    /// <summary>WebSocket close code (<c>1000</c>…<c>1015</c>, <c>4001</c>, <c>4002</c>; any other code is <c>other</c>).</summary>
    public const string Code = "code";

    /// <summary>Named reason: a disconnect reason name, or a conflation/drop/slow-consumer reason.</summary>
    public const string Reason = "reason";

    /// <summary>Wire encoding: <c>json</c> or <c>msgpack</c>.</summary>
    public const string Encoding = "encoding";

    /// <summary>Whether the message went out with permessage-deflate: <c>true</c> or <c>false</c>.</summary>
    public const string Compressed = "compressed";

    /// <summary>Feed name from configuration (a handful per server).</summary>
    public const string Feed = "feed";

    /// <summary>GC generation: <c>gen0</c>, <c>gen1</c>, <c>gen2</c>, <c>loh</c>, <c>poh</c>.</summary>
    public const string Generation = "generation";
}
