using System.Globalization;
using System.Text;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Tests.Encodings;

public class BookChecksumTests
{
    private static readonly BookLevel[] s_bids = [new(18921, 300), new(18920, 100), new(18900, 5)];
    private static readonly BookLevel[] s_asks = [new(18923, 200), new(19000, 1_000_000)];

    [Fact]
    public void GetText_JoinsBidsThenAsksWithNumbersAsJsonWritesThem()
    {
        Assert.Equal("189.21:300|189.2:100|189:5|189.23:200|190:1000000", BookChecksum.GetText(s_bids, s_asks, 2));
    }

    [Fact]
    public void Compute_IsCrc32OfTheText()
    {
        uint expected = Crc32.Compute(Encoding.UTF8.GetBytes("189.21:300|189.2:100|189:5|189.23:200|190:1000000"));
        Assert.Equal(expected, BookChecksum.Compute(s_bids, s_asks, 2));
    }

    [Fact]
    public void Compute_OfAnEmptyBookIsZero_AndOneEmptySideAddsNoSeparator()
    {
        Assert.Equal(0u, BookChecksum.Compute([], [], 2));
        Assert.Equal(Crc32.Compute("189.23:200|190:1000000"u8), BookChecksum.Compute([], s_asks, 2));
        Assert.Equal(Crc32.Compute("189.21:300|189.2:100|189:5"u8), BookChecksum.Compute(s_bids, [], 2));
    }

    [Fact]
    public void Compute_StreamsLongBooksThroughItsBuffer_WithoutChangingTheResult()
    {
        // 2 × 50 levels of long numbers is ~4 KB of text, more than the 2 KB stack buffer.
        var bids = new BookLevel[50];
        var asks = new BookLevel[50];
        for (int i = 0; i < 50; i++)
        {
            bids[i] = new BookLevel(long.MaxValue - i, long.MaxValue - i);
            asks[i] = new BookLevel(long.MaxValue - 100 + i, i + 1);
        }

        string text = BookChecksum.GetText(bids, asks, 8);
        Assert.True(text.Length > 2048);
        Assert.Equal(Crc32.Compute(Encoding.UTF8.GetBytes(text)), BookChecksum.Compute(bids, asks, 8));
    }

    [Fact]
    public void Combine_OfPerLevelPieces_EqualsCompute_ForRandomBooksOfEveryShape()
    {
        var random = new Random(31);
        for (int i = 0; i < 2000; i++)
        {
            int decimals = random.Next(0, 11);
            BookLevel[] bids = RandomLevels(random, random.Next(0, 51));
            BookLevel[] asks = RandomLevels(random, random.Next(0, 51));
            BookChecksumPiece[] bidPieces = [.. bids.Select(l => BookChecksumPiece.Create(l, decimals))];
            BookChecksumPiece[] askPieces = [.. asks.Select(l => BookChecksumPiece.Create(l, decimals))];

            Assert.Equal(BookChecksum.Compute(bids, asks, decimals), BookChecksum.Combine(bidPieces, askPieces));
        }
    }

    [PythonFact]
    public void Compute_EqualsPythonZlibCrc32OfTheSameText()
    {
        string script = "import sys, zlib\nfor line in sys.stdin:\n    print(zlib.crc32(line.rstrip('\\n').encode('utf-8')))";
        string text = BookChecksum.GetText(s_bids, s_asks, 2);
        uint expected = uint.Parse(PythonPeer.Run(script, text + "\n").Trim(), CultureInfo.InvariantCulture);
        Assert.Equal(expected, BookChecksum.Compute(s_bids, s_asks, 2));
    }

    /// <summary>Levels with prices and sizes of every digit count, including zero and the extremes of long.</summary>
    private static BookLevel[] RandomLevels(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new BookLevel(
            random.Next(10) == 0 ? long.MaxValue : random.NextInt64(0, long.MaxValue) >> random.Next(0, 63),
            random.Next(10) == 0 ? 0 : random.NextInt64(0, long.MaxValue) >> random.Next(0, 63)))];
}
