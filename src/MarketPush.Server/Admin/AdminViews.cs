using System.Net;
using System.Runtime.InteropServices;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;

namespace MarketPush.Server.Admin;

/// <summary>
/// Turns live sessions into the admin API's response objects. Runs on the request thread, off the data path: it reads
/// each session's public counters (each an atomic read or a short lock of that session's own queue or subscription
/// table, never a lock across sessions and never one held while serializing), so a listing costs the server's loops
/// nothing but those brief locks. Owns nothing.
/// </summary>
internal static class AdminViews
{
    /// <summary>Symbols listed per session by <c>GET /admin/sessions</c>; the single-session view lists them all.</summary>
    public const int ListedSymbolsPerSession = 100;

    private static readonly string[] s_channelNames = ["quote", "trade", "book"];

    /// <summary>Copies what an operator needs to know about <paramref name="session"/>.</summary>
    public static SessionInfo Describe(Session session, DateTime nowUtc, int maxSymbols)
    {
        // The subscription table copies its contents under its own lock; the rest are single reads.
        SubscriptionTable? table = session.Subscriptions;
        Subscription[] subscriptions = table?.ToArray() ?? [];
        (SubscriptionInfo[] symbols, int symbolCount) = GroupBySymbol(subscriptions, maxSymbols);
        OutboundQueue queue = session.Queue;
        DisconnectReason? closeReason = session.CloseReason;
        return new SessionInfo
        {
            Id = session.Id,
            RemoteAddress = FormatEndPoint(session.RemoteEndPoint),
            Encoding = session.Encoding == WireEncoding.MessagePack ? "msgpack" : "json",
            Compression = session.Compression,
            ConnectedAt = session.ConnectedAtUtc,
            AgeSeconds = Math.Round(Math.Max(0, (nowUtc - session.ConnectedAtUtc).TotalSeconds), 3),
            SubscriptionCount = subscriptions.Length,
            SymbolCount = symbolCount,
            Subscriptions = symbols,
            SubscriptionsTruncated = symbols.Length < symbolCount,
            QueueFrames = queue.Count,
            QueueBytes = queue.Bytes,
            QueueMaxFrames = queue.MaxFrames,
            QueueMaxBytes = queue.MaxBytes,
            Conflated = table?.Updates.Conflated ?? 0,
            Dropped = table?.Updates.Dropped ?? 0,
            MessagesReceived = session.MessagesReceived,
            ErrorReplies = session.ErrorReplies,
            Closing = closeReason is not null,
            CloseReason = closeReason?.Name,
            CloseCode = closeReason?.Code,
        };
    }

    /// <summary>
    /// Symbols by the number of open sessions subscribing to them (a session on quote and trade of one symbol counts
    /// once), most first, ties in ordinal symbol order; closing sessions are left out (they get nothing more).
    /// </summary>
    public static TopSymbolsResponse TopSymbols(Session[] sessions, int limit)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<int>();
        int counted = 0;
        foreach (Session session in sessions)
        {
            if (session.IsClosing)
            {
                continue;
            }

            counted++;
            if (session.Subscriptions is not { } table)
            {
                continue;
            }

            seen.Clear();
            foreach (Subscription subscription in table.ToArray())
            {
                if (seen.Add(subscription.Instrument.Id))
                {
                    CollectionsMarshal.GetValueRefOrAddDefault(counts, subscription.Instrument.Symbol, out _)++;
                }
            }
        }

        SymbolSubscribers[] ranked = [.. counts
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(pair => new SymbolSubscribers { Symbol = pair.Key, Subscribers = pair.Value })];
        return new TopSymbolsResponse { Sessions = counted, Count = ranked.Length, Symbols = ranked };
    }

    /// <summary>ip:port, with an IPv4-mapped IPv6 address (a dual-stack listener) shown as the IPv4 address it is.</summary>
    public static string? FormatEndPoint(EndPoint? endPoint) => endPoint switch
    {
        null => null,
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip => new IPEndPoint(ip.Address.MapToIPv4(), ip.Port).ToString(),
        _ => endPoint.ToString(),
    };

    private static (SubscriptionInfo[] Symbols, int SymbolCount) GroupBySymbol(Subscription[] subscriptions, int maxSymbols)
    {
        if (subscriptions.Length == 0)
        {
            return ([], 0);
        }

        // Symbol order, then protocol channel order (quote, trade, book): stable output an operator can diff.
        Array.Sort(subscriptions, static (a, b) =>
        {
            int bySymbol = string.CompareOrdinal(a.Instrument.Symbol, b.Instrument.Symbol);
            return bySymbol != 0 ? bySymbol : a.Channel.CompareTo(b.Channel);
        });

        var symbols = new List<SubscriptionInfo>();
        var channels = new List<string>(3);
        int symbolCount = 0;
        int start = 0;
        while (start < subscriptions.Length)
        {
            Instrument instrument = subscriptions[start].Instrument;
            int end = start;
            int? bookDepth = null;
            channels.Clear();
            while (end < subscriptions.Length && subscriptions[end].Instrument == instrument)
            {
                Subscription subscription = subscriptions[end];
                channels.Add(s_channelNames[(int)subscription.Channel]);
                if (subscription.Channel == MarketChannel.Book)
                {
                    bookDepth = subscription.Depth;
                }

                end++;
            }

            symbolCount++;
            if (symbols.Count < maxSymbols)
            {
                symbols.Add(new SubscriptionInfo { Symbol = instrument.Symbol, Channels = [.. channels], BookDepth = bookDepth });
            }

            start = end;
        }

        return ([.. symbols], symbolCount);
    }
}
