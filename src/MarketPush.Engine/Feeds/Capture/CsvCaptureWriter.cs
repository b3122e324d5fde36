using System.Buffers.Text;
using System.Text;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>
/// Writes market events as <see cref="CaptureFormat"/> CSV: the header on construction, then one line per
/// <see cref="Write"/>. Text goes into a 64 KiB buffer and reaches the stream (a file, or an
/// <see cref="Lz4FrameStream"/> over one) when the buffer fills, on <see cref="Flush"/> and on dispose.
/// Owned by one thread at a time (the <see cref="FeedRecorder"/>'s task, or a generator); not thread-safe.
/// Allocation: none per event after an instrument's first (its symbol bytes are encoded once and kept).
/// </summary>
public sealed class CsvCaptureWriter : IDisposable
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Longest row: time, kind and four numbers (each at most 21 bytes), separators, the longest symbol is checked separately.</summary>
    private const int MaxRowWithoutSymbol = 20 + 7 + (4 * 24) + 8;

    private static readonly byte[] s_quote = Encoding.ASCII.GetBytes(CaptureFormat.QuoteKind);
    private static readonly byte[] s_trade = Encoding.ASCII.GetBytes(CaptureFormat.TradeKind);
    private static readonly byte[] s_book = Encoding.ASCII.GetBytes(CaptureFormat.BookKind);
    private static readonly byte[] s_status = Encoding.ASCII.GetBytes(CaptureFormat.StatusKind);

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly Dictionary<Instrument, byte[]> _symbols = [];
    private readonly Dictionary<string, int> _declaredDecimals = new(StringComparer.Ordinal);
    private int _length;
    private bool _disposed;

    /// <summary>Writes the header (<see cref="CaptureFormat.MagicLine"/>, the field comments and the column header) into the buffer.</summary>
    /// <param name="instruments">Declared in the header, before the column line, so a reader learns them without scanning.</param>
    public CsvCaptureWriter(Stream stream, IEnumerable<Instrument>? instruments = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        WriteLine(CaptureFormat.MagicLine);
        foreach (string comment in CaptureFormat.KindComments)
        {
            WriteLine(comment);
        }

        if (instruments is not null)
        {
            foreach (Instrument instrument in instruments)
            {
                Declare(instrument);
            }
        }

        WriteLine(CaptureFormat.ColumnHeader);
    }

    /// <summary>Events written so far.</summary>
    public long EventsWritten { get; private set; }

    /// <summary>Creates the file (<c>.lz4</c>: LZ4-frame compressed at <paramref name="compressionLevel"/>) and writes the header.</summary>
    public static CsvCaptureWriter Create(string path, IEnumerable<Instrument>? instruments = null, int compressionLevel = 0)
    {
        Stream stream = CaptureFormat.CreateWrite(path, compressionLevel);
        try
        {
            return new CsvCaptureWriter(stream, instruments);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes a <c># instrument</c> line for the symbol unless it was declared already. <see cref="Write"/> declares an
    /// instrument on its first event by itself; declaring up front keeps every declaration in the header.
    /// </summary>
    public void Declare(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_symbols.ContainsKey(instrument))
        {
            return;
        }

        if (_declaredDecimals.TryGetValue(instrument.Symbol, out int decimals))
        {
            if (decimals != instrument.Decimals)
            {
                throw new ArgumentException($"Symbol '{instrument.Symbol}' was declared with {decimals} decimals, not {instrument.Decimals}.", nameof(instrument));
            }
        }
        else
        {
            _declaredDecimals.Add(instrument.Symbol, instrument.Decimals);
            WriteLine($"{CaptureFormat.InstrumentDirective}{Escape(instrument.Symbol)},{instrument.Decimals},{Escape(instrument.Description)}");
        }

        byte[] symbol = Encoding.UTF8.GetBytes(Escape(instrument.Symbol));
        if (symbol.Length > BufferSize / 4)
        {
            throw new ArgumentException($"Symbol '{instrument.Symbol}' is too long for a capture.", nameof(instrument));
        }

        _symbols.Add(instrument, symbol);
    }

    /// <summary>Writes one event of <paramref name="instrument"/> (the tick's own instrument id is not used).</summary>
    public void Write(Instrument instrument, in Tick tick)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_symbols.TryGetValue(instrument, out byte[]? symbol))
        {
            Declare(instrument);
            symbol = _symbols[instrument];
        }

        if (_length + MaxRowWithoutSymbol + symbol.Length > _buffer.Length)
        {
            Drain();
        }

        Span<byte> row = _buffer.AsSpan(_length);
        int n = Integer(row, tick.Timestamp);
        row[n++] = (byte)',';
        symbol.CopyTo(row.Slice(n));
        n += symbol.Length;
        row[n++] = (byte)',';
        int decimals = instrument.Decimals;
        switch (tick.Kind)
        {
            case TickKind.Quote:
                Quote quote = tick.Quote;
                n += Text(row.Slice(n), s_quote);
                n += Price(row.Slice(n), quote.BidPrice, decimals);
                n += Integer(row.Slice(n), quote.BidSize, comma: true);
                n += Price(row.Slice(n), quote.AskPrice, decimals);
                n += Integer(row.Slice(n), quote.AskSize, comma: true);
                break;

            case TickKind.Trade:
                Trade trade = tick.Trade;
                n += Text(row.Slice(n), s_trade);
                n += Price(row.Slice(n), trade.Price, decimals);
                n += Integer(row.Slice(n), trade.Size, comma: true);
                n += Text(row.Slice(n), trade.Side switch { TradeSide.Buy => "buy"u8, TradeSide.Sell => "sell"u8, _ => "unknown"u8 }, comma: true);
                break;

            case TickKind.BookLevel:
                BookLevel level = tick.Level;
                n += Text(row.Slice(n), s_book);
                n += Text(row.Slice(n), tick.BookSide == BookSide.Bid ? "bid"u8 : "ask"u8, comma: true);
                n += Price(row.Slice(n), level.Price, decimals);
                n += Integer(row.Slice(n), level.Size, comma: true);
                n += Text(row.Slice(n), tick.EndsBookUpdate ? "1"u8 : "0"u8, comma: true);
                break;

            case TickKind.Status:
                n += Text(row.Slice(n), s_status);
                n += Text(row.Slice(n), tick.State switch { FeedState.Halted => "halted"u8, FeedState.Stale => "stale"u8, _ => "open"u8 }, comma: true);
                break;

            default:
                throw new ArgumentException($"Unknown tick kind {tick.Kind}.", nameof(tick));
        }

        row[n++] = (byte)'\n';
        _length += n;
        EventsWritten++;
    }

    /// <summary>Hands the buffered text to the stream and flushes it (an LZ4 stream ends its current block).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Drain();
        _stream.Flush();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Drain();
            _stream.Flush();
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _stream.Dispose(); // an LZ4 stream writes its end mark and checksum here
            }
        }
    }

    /// <summary>A CSV field as RFC 4180 quotes it: unchanged unless it holds a comma, a quote or a line break.</summary>
    internal static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Decimal text with exactly <paramref name="decimals"/> digits after the point (zeros kept: 189.50).</summary>
    internal static int FormatFixed(Span<byte> destination, long scaledValue, int decimals)
    {
        int n = 0;
        ulong magnitude;
        if (scaledValue < 0)
        {
            destination[n++] = (byte)'-';
            magnitude = unchecked((ulong)(-(scaledValue + 1)) + 1);
        }
        else
        {
            magnitude = (ulong)scaledValue;
        }

        ulong scale = (ulong)PriceFormatter.Scale(decimals);
        Utf8Formatter.TryFormat(magnitude / scale, destination.Slice(n), out int written);
        n += written;
        if (decimals > 0)
        {
            destination[n++] = (byte)'.';
            ulong fraction = magnitude % scale;
            for (int i = n + decimals - 1; i >= n; i--)
            {
                destination[i] = (byte)('0' + (int)(fraction % 10));
                fraction /= 10;
            }

            n += decimals;
        }

        return n;
    }

    private static int Price(Span<byte> destination, long scaledValue, int decimals)
    {
        destination[0] = (byte)',';
        return 1 + FormatFixed(destination.Slice(1), scaledValue, decimals);
    }

    private static int Integer(Span<byte> destination, long value, bool comma = false)
    {
        int n = 0;
        if (comma)
        {
            destination[n++] = (byte)',';
        }

        Utf8Formatter.TryFormat(value, destination.Slice(n), out int written);
        return n + written;
    }

    private static int Text(Span<byte> destination, ReadOnlySpan<byte> text, bool comma = false)
    {
        int n = 0;
        if (comma)
        {
            destination[n++] = (byte)',';
        }

        text.CopyTo(destination.Slice(n));
        return n + text.Length;
    }

    private void WriteLine(string line)
    {
        int max = Encoding.UTF8.GetMaxByteCount(line.Length) + 1;
        if (_length + max > _buffer.Length)
        {
            Drain();
        }

        if (max > _buffer.Length)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
            _stream.Write(bytes);
            return;
        }

        _length += Encoding.UTF8.GetBytes(line, _buffer.AsSpan(_length));
        _buffer[_length++] = (byte)'\n';
    }

    private void Drain()
    {
        if (_length > 0)
        {
            _stream.Write(_buffer, 0, _length);
            _length = 0;
        }
    }
}
