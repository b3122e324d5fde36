using System.IO.Compression;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>
/// The capture file format of <c>feeds/</c>: what the recorder (<c>--record PATH</c>) writes and a replay feed
/// (<c>--feed replay:PATH</c>) plays. Plain UTF-8 CSV, one market event per line, readable with any CSV tool and
/// greppable; <c>.lz4</c> files are the same text inside an LZ4 frame (<see cref="Lz4FrameStream"/>), so
/// <c>lz4 -dc file.csv.lz4 | head</c> shows it.
/// <code>
/// # marketpush-capture v1
/// # quote:  time_us,symbol,quote,bid,bid_size,ask,ask_size
/// # trade:  time_us,symbol,trade,price,size,side            side: buy | sell | unknown (the aggressor)
/// # book:   time_us,symbol,book,side,price,size,end         side: bid | ask; size 0 removes the level;
/// #                                                          end: 1 on the last level change of one book update
/// # status: time_us,symbol,status,state                     state: open | halted | stale
/// # instrument,AAPL,2,Apple Inc.
/// time_us,symbol,kind,f1,f2,f3,f4
/// 1763769600123456,AAPL,quote,189.21,300,189.23,200
/// 1763769600120001,AAPL,trade,189.22,100,buy
/// 1763769600125002,AAPL,book,bid,189.21,300,0
/// 1763769600125002,AAPL,book,ask,189.25,0,1
/// </code>
/// Rules:
/// <list type="bullet">
/// <item>Line 1 is exactly <see cref="MagicLine"/> (the version). Other lines starting with <c>#</c> are comments,
/// except <c># instrument,SYMBOL,DECIMALS,DESCRIPTION</c>, which declares a symbol's price precision before its
/// first event (the recorder declares every instrument of the catalog up front, so a replay can build its
/// instrument list from the header alone). The first non-comment line is <see cref="ColumnHeader"/>.</item>
/// <item><c>time_us</c>: event time, microseconds since the Unix epoch (the feed's <c>ts</c>). Rows are in the
/// order the feeds produced them; a replay keeps that order and the gaps between the times.</item>
/// <item>Prices are decimal text with exactly the instrument's decimals (<c>189.50</c>), never an exponent, so the
/// text is the exact scaled integer; an undeclared symbol takes its decimals from its first price. Sizes are
/// integers (the model's units; see the feed's documentation for what one unit is).</item>
/// <item>Book rows follow <see cref="Tick"/>'s model: one row per level change, the rows of one update contiguous
/// and the last flagged <c>end</c> = 1 (a replay publishes them as one book message).</item>
/// <item>A symbol or description containing a comma, a quote or a line break is quoted as in RFC 4180.
/// Blank lines are ignored; CRLF line ends are accepted.</item>
/// </list>
/// A file that breaks a rule fails with <see cref="CaptureFormatException"/> naming the file, line and offset.
/// </summary>
public static class CaptureFormat
{
    public const string MagicLine = "# marketpush-capture v1";

    public const string ColumnHeader = "time_us,symbol,kind,f1,f2,f3,f4";

    /// <summary>Prefix of a symbol declaration comment: <c># instrument,SYMBOL,DECIMALS,DESCRIPTION</c>.</summary>
    public const string InstrumentDirective = "# instrument,";

    /// <summary>Extension that selects LZ4 frame compression when writing.</summary>
    public const string Lz4Extension = ".lz4";

    internal const string QuoteKind = "quote";
    internal const string TradeKind = "trade";
    internal const string BookKind = "book";
    internal const string StatusKind = "status";

    /// <summary>The comment lines written after <see cref="MagicLine"/>: the fields of each kind.</summary>
    internal static readonly string[] KindComments =
    [
        "# quote:  time_us,symbol,quote,bid,bid_size,ask,ask_size",
        "# trade:  time_us,symbol,trade,price,size,side            side: buy | sell | unknown (the aggressor)",
        "# book:   time_us,symbol,book,side,price,size,end         side: bid | ask; size 0 removes the level; end: 1 on the last level change of one book update",
        "# status: time_us,symbol,status,state                     state: open | halted | stale",
    ];

    /// <summary>True when <paramref name="path"/> names an LZ4-compressed capture (<c>.lz4</c>, any case).</summary>
    public static bool IsCompressedPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.EndsWith(Lz4Extension, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Opens a capture for reading. Compression is detected from the content (the LZ4 frame magic number), not the
    /// name, so a renamed file still reads.
    /// </summary>
    public static Stream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0, // the reader and the LZ4 stream buffer 64 KiB themselves
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });

        try
        {
            Span<byte> magic = stackalloc byte[4];
            int read = file.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
            file.Position = 0;
            return read == magic.Length && Lz4FrameStream.StartsWithFrameMagic(magic)
                ? new Lz4FrameStream(file, CompressionMode.Decompress)
                : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Creates (or truncates) a capture for writing; <c>.lz4</c> paths are LZ4-frame compressed.</summary>
    public static Stream CreateWrite(string path, int compressionLevel = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
        return IsCompressedPath(path) ? new Lz4FrameStream(file, CompressionMode.Compress, leaveOpen: false, compressionLevel) : file;
    }
}
