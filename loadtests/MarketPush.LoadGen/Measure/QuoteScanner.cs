namespace MarketPush.LoadGen.Measure;

/// <summary>
/// The runner's only "parser": finds <c>"symbol":"</c>, <c>"seq":</c> and <c>"ts":</c> in a JSON server message with
/// vectorized span searches and reads the digits, without building any object. Called by the I/O workers for every
/// received message, so it must stay a few tens of nanoseconds: a full JSON parse per message would cost the runner
/// more CPU than the server spends sending it (PERFORMANCE-NOTES.md, "Measuring fairly"). Stateless, allocation-free.
/// </summary>
/// <remarks>
/// MarketPush and both baselines write <c>type, symbol, seq, ts</c> in that order, so each search starts where the
/// previous field ended and usually finds its key within a few bytes; a server with another field order still works
/// through the whole-message fallback.
/// </remarks>
internal static class QuoteScanner
{
    private static ReadOnlySpan<byte> QuotePrefix => "{\"type\":\"quote\""u8;

    private static ReadOnlySpan<byte> TypeKey => "\"type\":\""u8;

    private static ReadOnlySpan<byte> SymbolKey => "\"symbol\":\""u8;

    private static ReadOnlySpan<byte> SeqKey => "\"seq\":"u8;

    private static ReadOnlySpan<byte> TsKey => "\"ts\":"u8;

    private static ReadOnlySpan<byte> SnapshotTail => "\"snapshot\":true}"u8;

    /// <summary>What a server message is, from its <c>type</c>; quotes are recognised from the first 15 bytes alone.</summary>
    public static ServerMessageKind Classify(ReadOnlySpan<byte> message)
    {
        if (message.StartsWith(QuotePrefix))
        {
            return ServerMessageKind.Quote;
        }

        int at = message.IndexOf(TypeKey);
        if (at < 0)
        {
            return ServerMessageKind.Other;
        }

        ReadOnlySpan<byte> rest = message.Slice(at + TypeKey.Length);
        int end = rest.IndexOf((byte)'"');
        if (end < 0)
        {
            return ServerMessageKind.Other;
        }

        ReadOnlySpan<byte> type = rest.Slice(0, end);
        return type switch
        {
            _ when type.SequenceEqual("quote"u8) => ServerMessageKind.Quote,
            _ when type.SequenceEqual("welcome"u8) => ServerMessageKind.Welcome,
            _ when type.SequenceEqual("subscribed"u8) => ServerMessageKind.Subscribed,
            _ when type.SequenceEqual("heartbeat"u8) => ServerMessageKind.Heartbeat,
            _ when type.SequenceEqual("pong"u8) => ServerMessageKind.Pong,
            _ when type.SequenceEqual("error"u8) => ServerMessageKind.Error,
            _ when type.SequenceEqual("symbols"u8) => ServerMessageKind.Symbols,
            _ => ServerMessageKind.Other,
        };
    }

    /// <summary>
    /// Reads symbol, seq and ts of a quote. False when one of them is missing or not a non-negative integer (the
    /// runner counts those as malformed rather than guessing).
    /// </summary>
    public static bool TryReadQuote(ReadOnlySpan<byte> message, out ReadOnlySpan<byte> symbol, out long seq, out long ts)
    {
        seq = 0;
        ts = 0;
        symbol = default;

        int at = message.IndexOf(SymbolKey);
        if (at < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = message.Slice(at + SymbolKey.Length);
        int end = rest.IndexOf((byte)'"');
        if (end < 0)
        {
            return false;
        }

        symbol = rest.Slice(0, end);
        rest = rest.Slice(end + 1);
        return TryReadNumber(rest, message, SeqKey, out seq) && TryReadNumber(rest, message, TsKey, out ts);
    }

    /// <summary>True when the message is a snapshot (our servers write <c>"snapshot":true</c> last, if at all).</summary>
    public static bool IsSnapshot(ReadOnlySpan<byte> message) => message.EndsWith(SnapshotTail);

    /// <summary>Parses the unsigned integer at the start of <paramref name="digits"/>; false when there is none.</summary>
    public static bool TryParseDigits(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        int i = 0;
        while (i < digits.Length && digits[i] == (byte)' ')
        {
            i++;
        }

        int start = i;
        long result = 0;
        for (; i < digits.Length && i - start < 18; i++)
        {
            uint digit = (uint)(digits[i] - '0');
            if (digit > 9)
            {
                break;
            }

            result = (result * 10) + digit;
        }

        if (i == start)
        {
            return false;
        }

        value = result;
        return true;
    }

    private static bool TryReadNumber(ReadOnlySpan<byte> likelyRegion, ReadOnlySpan<byte> wholeMessage, ReadOnlySpan<byte> key, out long value)
    {
        int at = likelyRegion.IndexOf(key);
        ReadOnlySpan<byte> region = likelyRegion;
        if (at < 0)
        {
            region = wholeMessage;
            at = region.IndexOf(key);
            if (at < 0)
            {
                value = 0;
                return false;
            }
        }

        return TryParseDigits(region.Slice(at + key.Length), out value);
    }
}
