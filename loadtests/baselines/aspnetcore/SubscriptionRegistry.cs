namespace MarketPush.Baseline.AspNetCore;

/// <summary>
/// Who is subscribed to which symbol: one copy-on-write array of sessions per symbol, so the feed thread iterates a
/// snapshot without a lock while subscribe/unsubscribe (rare) replace the array under one.
/// </summary>
internal sealed class SubscriptionRegistry
{
    private readonly Lock _lock = new();
    private readonly Session[][] _bySymbol;
    private readonly Dictionary<string, int> _ids;

    public SubscriptionRegistry(int symbolCount)
    {
        Names = [.. Enumerable.Range(0, symbolCount).Select(i => "SYM" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))];
        _ids = Names.Select((name, id) => (name, id)).ToDictionary(p => p.name, p => p.id, StringComparer.Ordinal);
        _bySymbol = [.. Enumerable.Range(0, symbolCount).Select(_ => Array.Empty<Session>())];
    }

    public string[] Names { get; }

    public bool TryGetId(string symbol, out int id) => _ids.TryGetValue(symbol, out id);

    public Session[] SubscribersOf(int symbolId) => Volatile.Read(ref _bySymbol[symbolId]);

    public void Add(int symbolId, Session session)
    {
        lock (_lock)
        {
            Session[] current = _bySymbol[symbolId];
            if (Array.IndexOf(current, session) < 0)
            {
                Volatile.Write(ref _bySymbol[symbolId], [.. current, session]);
            }
        }
    }

    public void Remove(int symbolId, Session session)
    {
        lock (_lock)
        {
            Session[] current = _bySymbol[symbolId];
            if (Array.IndexOf(current, session) >= 0)
            {
                Volatile.Write(ref _bySymbol[symbolId], [.. current.Where(s => s != session)]);
            }
        }
    }
}
