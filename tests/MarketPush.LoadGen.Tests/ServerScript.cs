using System.Net.WebSockets;

namespace MarketPush.LoadGen.Tests;

/// <summary>What <see cref="ScriptedServer"/> does on every connection.</summary>
internal sealed record ServerScript
{
    public int Quotes { get; init; } = 50;

    /// <summary>A seq number never sent (one gap per connection), or 0 for none.</summary>
    public long SkippedSeq { get; init; }

    public WebSocketCloseStatus CloseCode { get; init; } = (WebSocketCloseStatus)4001;

    /// <summary>Upgrade requests (1-based, counting every request including the runner's preflight) answered with 503.</summary>
    public IReadOnlyList<int> RefusedRequests { get; init; } = [];

    public bool EnableCompression { get; init; }

    /// <summary>When above 0, each quote goes out as continuation frames of this many bytes.</summary>
    public int FragmentBytes { get; init; }

    /// <summary>Pause between quotes (lets keep-alive pings interleave with the data).</summary>
    public TimeSpan QuoteInterval { get; init; }

    /// <summary>When set, the server pings every interval and aborts a connection whose pong is 3 intervals late (ASP.NET Core keep-alive).</summary>
    public TimeSpan? PingInterval { get; init; }
}
