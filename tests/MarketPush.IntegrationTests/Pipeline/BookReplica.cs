using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>
/// A client's order book for one symbol at one depth, kept exactly as PROTOCOL.md tells a client to: a snapshot
/// replaces it; in a delta a level of size 0 is removed and any other replaces that price; only the best
/// <c>depth</c> levels per side are kept. <see cref="Checksum"/> is the CRC-32 (IEEE, as zlib) of the best levels
/// written <c>price:size</c> with the numbers' JSON text, bids then asks, joined by <c>|</c>. Written for the tests,
/// independently of the server's book and CRC code.
/// </summary>
internal sealed class BookReplica(int depth)
{
    private static readonly uint[] s_table = BuildTable();

    // Keyed by the decimal value, keeping the exact JSON text of price and size.
    private readonly SortedDictionary<decimal, (string Price, string Size)> _bids = new(Comparer<decimal>.Create(static (a, b) => b.CompareTo(a)));
    private readonly SortedDictionary<decimal, (string Price, string Size)> _asks = new();

    public int Depth { get; } = depth;

    public long LastSeq { get; private set; }

    public int Snapshots { get; private set; }

    public int Deltas { get; private set; }

    /// <summary>Deltas applied on top of the latest snapshot (0 right after one).</summary>
    public int DeltasSinceSnapshot { get; private set; }

    public int BidCount => _bids.Count;

    public int AskCount => _asks.Count;

    /// <summary>Applies one <c>book</c> message, checking its seq order, that a delta never comes before a snapshot, and its checksum.</summary>
    public void Apply(JsonElement book)
    {
        long seq = book.GetProperty("seq").GetInt64();
        Assert.True(seq > LastSeq, $"book seq {seq} after {LastSeq}");
        if (book.GetProperty("snapshot").GetBoolean())
        {
            _bids.Clear();
            _asks.Clear();
            Snapshots++;
            DeltasSinceSnapshot = 0;
        }
        else
        {
            Assert.True(Snapshots > 0, "a book delta before any snapshot");
            Deltas++;
            DeltasSinceSnapshot++;
        }

        Apply(_bids, book.GetProperty("bids"));
        Apply(_asks, book.GetProperty("asks"));
        LastSeq = seq;
        Assert.True(_bids.Count <= Depth && _asks.Count <= Depth);
        uint expected = book.GetProperty("checksum").GetUInt32();
        Assert.True(expected == Checksum, $"checksum {expected} at seq {seq}, client book has {Checksum}: {Text()}");
    }

    public uint Checksum => Crc32(Encoding.UTF8.GetBytes(Text()));

    private string Text() =>
        string.Join('|', _bids.Values.Concat(_asks.Values).Select(l => l.Price + ":" + l.Size));

    private void Apply(SortedDictionary<decimal, (string Price, string Size)> side, JsonElement levels)
    {
        foreach (JsonElement level in levels.EnumerateArray())
        {
            string priceText = level[0].GetRawText();
            string sizeText = level[1].GetRawText();
            decimal price = decimal.Parse(priceText, NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.DoesNotContain("e", priceText, StringComparison.OrdinalIgnoreCase);
            if (decimal.Parse(sizeText, CultureInfo.InvariantCulture) == 0)
            {
                side.Remove(price);
            }
            else
            {
                side[price] = (priceText, sizeText);
            }
        }

        while (side.Count > Depth)
        {
            side.Remove(side.Keys.Last());
        }
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
