namespace MarketPush.Server.Admin;

/// <summary>One row of <c>GET /admin/symbols/top</c>: how many open sessions subscribe to a symbol (any channel).</summary>
internal sealed class SymbolSubscribers
{
    public required string Symbol { get; init; }

    public required int Subscribers { get; init; }
}
