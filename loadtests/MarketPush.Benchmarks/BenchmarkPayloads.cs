using System.Globalization;
using System.Text;

namespace MarketPush.Benchmarks;

/// <summary>
/// Deterministic payloads for the benchmarks: client commands as the receive loop sees them, a quote as the router
/// encodes it, and JSON quote batches of an exact size for the compressor. Called from benchmark setup only (it
/// allocates freely); the per-operation helper <see cref="Stamp"/> is allocation-free. Seeded, so every run and every
/// machine measures the same bytes.
/// </summary>
internal static class BenchmarkPayloads
{
    private const string SeqField = "\"seq\":";

    // Fixed width (8 digits, first digit never 0) so a counter can be stamped over it in place and the JSON stays valid.
    private const int SeqDigits = 8;
    private const int SeqBase = 10_000_000;

    private static readonly string[] s_symbols =
        ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "BRK.B", "JPM", "V", "EURUSD", "BTC-USD", "ES=F", "XOM"];

    /// <summary>
    /// <paramref name="count"/> client command payloads of 20–100 bytes (<c>{"op":"ping","id":123}</c>, subscribe,
    /// unsubscribe): what the frame reader sees from a chatty client.
    /// </summary>
    public static byte[][] ClientCommands(int count, int seed)
    {
        var random = new Random(seed);
        var commands = new byte[count][];
        var text = new StringBuilder(128);
        for (int i = 0; i < count; i++)
        {
            int id = random.Next(1, 100_000);
            text.Clear();
            switch (random.Next(4))
            {
                case 0:
                case 1:
                    text.Append("{\"op\":\"ping\",\"id\":").Append(id).Append('}');
                    break;
                case 2:
                    text.Append("{\"op\":\"subscribe\",\"id\":").Append(id).Append(",\"symbols\":[");
                    AppendSymbols(text, random, random.Next(1, 4));
                    text.Append("],\"channels\":[\"quote\"]}");
                    break;
                default:
                    text.Append("{\"op\":\"unsubscribe\",\"id\":").Append(id).Append(",\"symbols\":[");
                    AppendSymbols(text, random, random.Next(1, 3));
                    text.Append("]}");
                    break;
            }

            byte[] payload = Encoding.UTF8.GetBytes(text.ToString());
            if (payload.Length is < 20 or > 100)
            {
                throw new InvalidOperationException($"Command of {payload.Length} bytes is outside 20-100: {text}");
            }

            commands[i] = payload;
        }

        return commands;
    }

    /// <summary>One quote message as PROTOCOL.md shows it (about 120 bytes): the common fan-out payload.</summary>
    public static byte[] Quote(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(160);
        AppendQuote(text, random, 0);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>
    /// Exactly <paramref name="length"/> bytes of a JSON array of quotes, cut at the length: JSON-like data with the
    /// repetition of real market messages (field names, symbols, nearby prices), which is what deflate gets to work on.
    /// </summary>
    public static byte[] QuoteBatch(int length, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(length + 200);
        text.Append('[');
        for (int i = 0; Encoding.UTF8.GetByteCount(text.ToString()) < length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            AppendQuote(text, random, i);
        }

        byte[] all = Encoding.UTF8.GetBytes(text.ToString());
        return all.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Offsets of up to three complete <c>"seq":</c> digit runs in <paramref name="payload"/> (first, middle, last), for
    /// <see cref="Stamp"/>. Spread out so a stamped message differs at its start, middle and end.
    /// </summary>
    public static int[] SeqOffsets(ReadOnlySpan<byte> payload)
    {
        var all = new List<int>();
        ReadOnlySpan<byte> field = "\"seq\":"u8;
        int searched = 0;
        while (true)
        {
            int index = payload.Slice(searched).IndexOf(field);
            if (index < 0)
            {
                break;
            }

            int digits = searched + index + SeqField.Length;
            if (digits + SeqDigits <= payload.Length)
            {
                all.Add(digits);
            }

            searched = digits;
        }

        if (all.Count == 0)
        {
            throw new InvalidOperationException("The payload has no complete seq field to stamp.");
        }

        return all.Count <= 3 ? [.. all] : [all[0], all[all.Count / 2], all[^1]];
    }

    /// <summary>
    /// Writes <paramref name="counter"/> as the 8-digit seq at each offset, so each operation compresses a message it
    /// has not seen (the compressors keep no history, but this keeps the benchmark honest if one ever does). No allocation.
    /// </summary>
    public static void Stamp(Span<byte> payload, int[] offsets, long counter)
    {
        long value = SeqBase + (counter % (10L * SeqBase - SeqBase));
        foreach (int offset in offsets)
        {
            Span<byte> digits = payload.Slice(offset, SeqDigits);
            long rest = value;
            for (int i = SeqDigits - 1; i >= 0; i--)
            {
                digits[i] = (byte)('0' + (int)(rest % 10));
                rest /= 10;
            }
        }
    }

    private static void AppendSymbols(StringBuilder text, Random random, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append('"').Append(s_symbols[random.Next(s_symbols.Length)]).Append('"');
        }
    }

    private static void AppendQuote(StringBuilder text, Random random, int index)
    {
        string symbol = s_symbols[random.Next(s_symbols.Length)];
        decimal bid = Math.Round(50m + (decimal)(random.NextDouble() * 400), 2);
        decimal ask = bid + (random.Next(1, 6) / 100m);
        text.Append("{\"type\":\"quote\",\"symbol\":\"").Append(symbol)
            .Append("\",").Append(SeqField).Append(SeqBase + (index * 37) + random.Next(1000))
            .Append(",\"ts\":").Append(1_763_769_600_000_000L + (index * 1_250L) + random.Next(1000))
            .Append(",\"bid\":").Append(bid.ToString("0.00", CultureInfo.InvariantCulture))
            .Append(",\"bidSize\":").Append(random.Next(1, 50) * 100)
            .Append(",\"ask\":").Append(ask.ToString("0.00", CultureInfo.InvariantCulture))
            .Append(",\"askSize\":").Append(random.Next(1, 50) * 100)
            .Append('}');
    }
}
