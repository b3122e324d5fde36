using System.Text;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary>The CSV capture format: what the writer puts in a file, that the reader gets the same events back, and how defects are reported.</summary>
public class CaptureCsvTests
{
    private const int Timeout = 30_000;

    private static readonly Instrument s_aapl = new(0, "AAPL", 2, 1, "Apple Inc.");
    private static readonly Instrument s_shib = new(1, "SHIB-USD", 8, 1, "Shiba Inu, US dollar");
    private static readonly Instrument s_odd = new(2, "ODD,\"SYM\"", 0, 1, "");

    private static readonly (Instrument Instrument, Tick Tick)[] s_events =
    [
        (s_aapl, Tick.ForQuote(0, 1_763_769_600_123_456, new Quote(18_921, 300, 18_923, 200))),
        (s_aapl, Tick.ForTrade(0, 1_763_769_600_123_500, new Trade(18_950, 100, TradeSide.Buy))),
        (s_aapl, Tick.ForBookLevel(0, 1_763_769_600_125_002, BookSide.Bid, 18_921, 300, false)),
        (s_aapl, Tick.ForBookLevel(0, 1_763_769_600_125_002, BookSide.Ask, 18_925, 0, true)),
        (s_shib, Tick.ForQuote(1, 1_763_769_600_200_000, new Quote(1_234, 5_000_000, 1_240, 7_000_000))),
        (s_shib, Tick.ForTrade(1, 1_763_769_600_200_001, new Trade(1_237, 10, TradeSide.Sell))),
        (s_odd, Tick.ForTrade(2, 1_763_769_600_300_000, new Trade(42, 1, TradeSide.Unknown))),
        (s_aapl, Tick.ForStatus(0, 1_763_769_601_000_000, FeedState.Stale)),
        (s_shib, Tick.ForStatus(1, 1_763_769_601_000_001, FeedState.Halted)),
        (s_aapl, Tick.ForStatus(0, 1_763_769_602_000_000, FeedState.Open)),
    ];

    private static byte[] WriteSample(IEnumerable<Instrument>? declare = null)
    {
        var output = new MemoryStream();
        using (var writer = new CsvCaptureWriter(output, declare, leaveOpen: true))
        {
            foreach ((Instrument instrument, Tick tick) in s_events)
            {
                writer.Write(instrument, tick);
            }
        }

        return output.ToArray();
    }

    private static List<Tick> ReadAll(CsvCaptureReader reader, int batch = 3)
    {
        var ticks = new List<Tick>();
        var buffer = new Tick[batch];
        int n;
        while ((n = reader.Read(buffer)) > 0)
        {
            ticks.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        return ticks;
    }

    private static CsvCaptureReader ReaderOf(string text, string name = "test.csv") => new(new MemoryStream(Encoding.UTF8.GetBytes(text)), name);

    private const string Header = "# marketpush-capture v1\ntime_us,symbol,kind,f1,f2,f3,f4\n";

    [Fact]
    public void Writer_PutsTheDocumentedHeaderAndOneLinePerEvent_WithEveryDecimalOfThePrice()
    {
        string text = Encoding.UTF8.GetString(WriteSample([s_aapl, s_shib]));
        string[] lines = text.Split('\n');

        Assert.Equal(CaptureFormat.MagicLine, lines[0]);
        Assert.StartsWith("# quote:  time_us,symbol,quote,bid,bid_size,ask,ask_size", lines[1], StringComparison.Ordinal);
        Assert.Equal("# instrument,AAPL,2,Apple Inc.", lines[5]);
        Assert.Equal("# instrument,SHIB-USD,8,\"Shiba Inu, US dollar\"", lines[6]);
        Assert.Equal(CaptureFormat.ColumnHeader, lines[7]);
        Assert.Equal("1763769600123456,AAPL,quote,189.21,300,189.23,200", lines[8]);
        Assert.Equal("1763769600123500,AAPL,trade,189.50,100,buy", lines[9]);
        Assert.Equal("1763769600125002,AAPL,book,bid,189.21,300,0", lines[10]);
        Assert.Equal("1763769600125002,AAPL,book,ask,189.25,0,1", lines[11]);
        Assert.Equal("1763769600200000,SHIB-USD,quote,0.00001234,5000000,0.00001240,7000000", lines[12]);
        Assert.Equal("1763769600200001,SHIB-USD,trade,0.00001237,10,sell", lines[13]);
        Assert.Equal("# instrument,\"ODD,\"\"SYM\"\"\",0,", lines[14]); // declared on its first event
        Assert.Equal("1763769600300000,\"ODD,\"\"SYM\"\"\",trade,42,1,unknown", lines[15]);
        Assert.Equal("1763769601000000,AAPL,status,stale", lines[16]);
        Assert.Equal("1763769601000001,SHIB-USD,status,halted", lines[17]);
        Assert.Equal("1763769602000000,AAPL,status,open", lines[18]);
        Assert.Equal("", lines[19]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(100)]
    public void Reader_ReturnsTheWrittenEvents_InOrder_WithSymbolsAndDecimals(int batch)
    {
        using var reader = new CsvCaptureReader(new MemoryStream(WriteSample([s_aapl])), "mem.csv");
        List<Tick> ticks = ReadAll(reader, batch);

        Assert.Equal(s_events.Length, ticks.Count);
        Assert.Equal(["AAPL", "SHIB-USD", "ODD,\"SYM\""], reader.Symbols.Select(static s => s.Symbol));
        Assert.Equal([2, 8, 0], reader.Symbols.Select(static s => s.Decimals));
        Assert.Equal("Shiba Inu, US dollar", reader.Symbols[1].Description);
        for (int i = 0; i < ticks.Count; i++)
        {
            (Instrument instrument, Tick expected) = s_events[i];
            Assert.Equal(instrument.Symbol, reader.Symbols[ticks[i].InstrumentId].Symbol);
            Assert.Equal(expected.ToString(), ticks[i].WithTimestamp(expected.Timestamp).ToString().Replace($"#{ticks[i].InstrumentId} ", $"#{expected.InstrumentId} ", StringComparison.Ordinal));
            Assert.Equal(expected.Timestamp, ticks[i].Timestamp);
        }

        Assert.True(reader.Completed);
        Assert.Equal(0, reader.Read(new Tick[4]));
    }

    [Fact]
    public void Reader_TakesAnUndeclaredSymbolsDecimalsFromItsFirstPrice_AndAcceptsCrlfAndBlankLines()
    {
        using CsvCaptureReader reader = ReaderOf(Header.Replace("\n", "\r\n", StringComparison.Ordinal)
            + "\r\n1000,BTC-USD,trade,60000.10,3,buy\r\n1001,BTC-USD,quote,60000.1,1,60000.20,2");

        List<Tick> ticks = ReadAll(reader);

        Assert.Equal(2, ticks.Count);
        Assert.Equal(2, reader.Symbols[0].Decimals);
        Assert.False(reader.Symbols[0].Declared);
        Assert.Equal(6_000_010, ticks[0].Trade.Price);
        Assert.Equal(new Quote(6_000_010, 1, 6_000_020, 2), ticks[1].Quote);
    }

    [Theory]
    [InlineData("1000,AAPL,qoute,1,1,1,1", "unknown kind 'qoute'")]
    [InlineData("1000,AAPL,quote,189.21,300,189.23", "a quote row has 7 fields, this one has 6")]
    [InlineData("1000,AAPL,trade,189.211,1,buy", "price '189.211' has more decimals than the 2 of 'AAPL'")]
    [InlineData("1000,AAPL,trade,1e3,1,buy", "bad price '1e3'")]
    [InlineData("1000,AAPL,trade,189.21,-5,buy", "bad size '-5'")]
    [InlineData("1000,AAPL,trade,189.21,5,up", "bad trade side 'up'")]
    [InlineData("1000,AAPL,book,mid,189.21,5,1", "bad book side 'mid'")]
    [InlineData("1000,AAPL,book,bid,189.21,5,yes", "bad end flag 'yes'")]
    [InlineData("1000,AAPL,status,closed", "bad status 'closed'")]
    [InlineData("soon,AAPL,status,open", "bad time_us 'soon'")]
    [InlineData("1000,\"AAPL,status,open", "unterminated quoted field")]
    public void Reader_NamesTheFileLineAndOffsetOfABadRow_AfterReturningTheRowsBeforeIt(string badRow, string problem)
    {
        string good = "1,AAPL,trade,189.21,1,buy\n2,AAPL,trade,189.22,1,sell\n";
        string text = Header + "# instrument,AAPL,2,Apple\n" + good + badRow + "\n3,AAPL,trade,189.23,1,buy\n";
        using CsvCaptureReader reader = ReaderOf(text, "feeds/bad.csv");

        var buffer = new Tick[10];
        Assert.Equal(2, reader.Read(buffer)); // the good rows come out first
        CaptureFormatException error = Assert.Throws<CaptureFormatException>(() => reader.Read(buffer));

        long offset = Encoding.UTF8.GetByteCount(text[..text.IndexOf(badRow, StringComparison.Ordinal)]);
        Assert.StartsWith($"feeds/bad.csv: line 6 (byte {offset}): {problem}", error.Message, StringComparison.Ordinal);
        Assert.Equal(6, error.Line);
        Assert.Equal(offset, error.Offset);
        Assert.StartsWith(problem, error.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty file")]
    [InlineData("time_us,symbol,kind,f1,f2,f3,f4\n", "not a MarketPush capture")]
    [InlineData("# marketpush-capture v2\n", "not a MarketPush capture")]
    [InlineData("# marketpush-capture v1\n# comment only\n", "no column header")]
    [InlineData("# marketpush-capture v1\ntime,symbol\n", "expected the column header")]
    [InlineData("# marketpush-capture v1\n# instrument,AAPL,x,Apple\n", "bad decimals 'x'")]
    public void Reader_RefusesAFileWithoutTheHeader(string text, string problem)
    {
        using CsvCaptureReader reader = ReaderOf(text, "x.csv");

        CaptureFormatException error = Assert.Throws<CaptureFormatException>(() => reader.Read(new Tick[4]));
        Assert.StartsWith("x.csv: line ", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_TakesALastLineWithoutALineBreak_ButNotOneCutMidRow()
    {
        using CsvCaptureReader complete = ReaderOf(Header + "1,AAPL,trade,189.21,1,buy");
        Assert.Single(ReadAll(complete));

        using CsvCaptureReader cut = ReaderOf(Header + "1,AAPL,trade,189.21,1,buy\n2,AAPL,tra");
        var buffer = new Tick[10];
        Assert.Equal(1, cut.Read(buffer));
        CaptureFormatException error = Assert.Throws<CaptureFormatException>(() => cut.Read(buffer));
        Assert.Equal(4, error.Line);
    }

    [Fact(Timeout = Timeout)]
    public async Task CompressedCapture_DecompressesWithLz4AndPython_ToTheSameTextAsThePlainOne()
    {
        using var dir = new CaptureTools.TempDirectory();
        string plain = dir.File("session.csv");
        string compressed = dir.File("session.csv.lz4");
        foreach (string path in new[] { plain, compressed })
        {
            using CsvCaptureWriter writer = CsvCaptureWriter.Create(path, [s_aapl, s_shib]);
            foreach ((Instrument instrument, Tick tick) in s_events)
            {
                writer.Write(instrument, tick);
            }
        }

        byte[] expected = await File.ReadAllBytesAsync(plain);
        Assert.Equal(expected, await CaptureTools.Lz4CommandAsync("-d", "-c", compressed));
        Assert.Equal(expected, await CaptureTools.PythonAsync(
            "import sys, lz4.frame; sys.stdout.buffer.write(lz4.frame.open(sys.argv[1], 'rb').read())", compressed));
    }

    [Fact(Timeout = Timeout)]
    public async Task CapturesCompressedByLz4AndPython_ReadAsTheSameEvents()
    {
        using var dir = new CaptureTools.TempDirectory();
        string plain = dir.File("session.csv");
        await File.WriteAllBytesAsync(plain, WriteSample([s_aapl, s_shib]));
        string byCommand = dir.File("by-lz4.csv.lz4");
        string byPython = dir.File("by-python.csv.lz4");
        await CaptureTools.Lz4CommandAsync("-q", "-f", plain, byCommand);
        await CaptureTools.PythonAsync(
            "import sys, lz4.frame\nwith lz4.frame.open(sys.argv[2], 'wb') as f: f.write(open(sys.argv[1], 'rb').read())", plain, byPython);

        using CsvCaptureReader reference = CsvCaptureReader.Open(plain);
        string[] expected = [.. ReadAll(reference).Select(static t => t.ToString())];
        foreach (string path in new[] { byCommand, byPython })
        {
            using CsvCaptureReader reader = CsvCaptureReader.Open(path);
            Assert.Equal(expected, ReadAll(reader).Select(static t => t.ToString()));
            Assert.Equal(reference.Symbols, reader.Symbols);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task TruncatedCompressedCapture_DeliversTheEventsBeforeTheCut_ThenNamesTheFileAndOffset()
    {
        using var dir = new CaptureTools.TempDirectory();
        string path = dir.File("cut.csv.lz4");
        const int events = 40_000;
        using (CsvCaptureWriter writer = CsvCaptureWriter.Create(path, [s_aapl]))
        {
            for (int i = 0; i < events; i++)
            {
                writer.Write(s_aapl, Tick.ForTrade(0, 1_000_000 + i, new Trade(10_000 + (i % 100), 1 + i, TradeSide.Buy)));
            }
        }

        byte[] whole = await File.ReadAllBytesAsync(path);
        int cut = whole.Length * 2 / 3;
        await File.WriteAllBytesAsync(path, whole.AsSpan(0, cut).ToArray());

        using CsvCaptureReader reader = CsvCaptureReader.Open(path);
        var seen = new List<Tick>();
        var buffer = new Tick[1000];
        CaptureFormatException error = await Assert.ThrowsAsync<CaptureFormatException>(async () =>
        {
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
            {
                seen.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        });

        Assert.Equal($"{path}: truncated LZ4 frame: the data ends inside a frame (byte {cut} of the file)", error.Message);
        Assert.True(error.IsCompressedOffset);
        Assert.InRange(seen.Count, events / 2, events - 1);
        for (int i = 0; i < seen.Count; i++)
        {
            Assert.Equal(1 + i, seen[i].Trade.Size); // every event before the cut, in order, none skipped
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task ReadSymbols_UsesTheHeaderDeclarations_OrScansAFileWithout()
    {
        using var dir = new CaptureTools.TempDirectory();
        string declared = dir.File("declared.csv.lz4");
        using (CsvCaptureWriter writer = CsvCaptureWriter.Create(declared, [s_aapl, s_shib]))
        {
            writer.Write(s_aapl, s_events[0].Tick);
        }

        string undeclared = dir.File("plain.csv");
        await File.WriteAllTextAsync(undeclared, Header + "1,AAPL,trade,189.21,1,buy\n2,MSFT,quote,415.2,1,415.3,1\n");

        Assert.Equal(["AAPL", "SHIB-USD"], (await CsvCaptureReader.ReadSymbolsAsync(declared)).Select(static s => s.Symbol));
        IReadOnlyList<CaptureSymbol> scanned = await CsvCaptureReader.ReadSymbolsAsync(undeclared);
        Assert.Equal(["AAPL", "MSFT"], scanned.Select(static s => s.Symbol));
        Assert.Equal([2, 1], scanned.Select(static s => s.Decimals));
    }
}
