namespace MarketPush.Server.Admin;

/// <summary>The body of <c>GET /admin/symbols/top</c>: symbols by subscriber count, most first (ties by symbol).</summary>
internal sealed class TopSymbolsResponse
{
    /// <summary>Open sessions counted (closing ones are not).</summary>
    public required int Sessions { get; init; }

    public required int Count { get; init; }

    public required SymbolSubscribers[] Symbols { get; init; }
}
