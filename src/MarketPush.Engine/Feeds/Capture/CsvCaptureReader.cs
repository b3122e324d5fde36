using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>
/// Reads a <see cref="CaptureFormat"/> file (plain or LZ4) as <see cref="Tick"/>s, in file order. A returned tick's
/// <see cref="Tick.InstrumentId"/> is the index of its symbol in <see cref="Symbols"/> (first appearance order), and
/// its prices are scaled by that symbol's decimals; the caller maps symbols to its own catalog once per symbol.
/// Streaming: 64 KiB of text is buffered, so a file of any size reads in constant memory, and every complete line
/// before a defect is returned before the <see cref="CaptureFormatException"/> for it is thrown (by the call after).
/// Owned by one task (a replay feed's); not thread-safe. Allocation: none per row, except for a symbol's first row.
/// </summary>
/// <remarks>
/// This file: the stream and its buffer (fill, compact, deferred errors). <c>CsvCaptureReader.Lines.cs</c> turns lines
/// into ticks and declarations; <c>CsvCaptureReader.Fields.cs</c> splits a line into fields and reports defects.
/// </remarks>
public sealed partial class CsvCaptureReader : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const int MaxFields = 7;
    private const int MaxSymbolChars = 256;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly List<CaptureSymbol> _symbols = [];
    private readonly List<bool> _hasPrices = [];
    private readonly Dictionary<string, int> _symbolIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _symbolLookup;
    private readonly Range[] _fields = new Range[MaxFields + 1];
    private readonly bool[] _quoted = new bool[MaxFields + 1];
    private int _start;
    private int _end;
    private long _bufferOffset;   // text offset of _buffer[0]
    private bool _streamEnded;
    private HeaderState _header;
    private long _line;
    private long _lineOffset;
    private Exception? _pendingError;

    public CsvCaptureReader(Stream stream, string source, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        _stream = stream;
        _leaveOpen = leaveOpen;
        Source = source;
        _symbolLookup = _symbolIndex.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private enum HeaderState
    {
        ExpectMagic,
        ExpectColumns,
        Rows,
    }

    /// <summary>The file name used in error messages.</summary>
    public string Source { get; }

    /// <summary>Symbols declared or met so far, indexed by the <see cref="Tick.InstrumentId"/> of returned ticks.</summary>
    public IReadOnlyList<CaptureSymbol> Symbols => _symbols;

    /// <summary>Events returned so far.</summary>
    public long EventsRead { get; private set; }

    /// <summary>Lines consumed so far (the 1-based number of the last one).</summary>
    public long LineNumber => _line;

    /// <summary>True once the whole file has been read.</summary>
    public bool Completed { get; private set; }

    /// <summary>Opens a capture file (LZ4 detected from its content).</summary>
    public static CsvCaptureReader Open(string path)
    {
        Stream stream = CaptureFormat.OpenRead(path);
        return new CsvCaptureReader(stream, path);
    }

    /// <summary>
    /// The symbols of a capture: the header's declarations when it has any (reading stops at the first event);
    /// otherwise every symbol of the file, which means reading all of it.
    /// </summary>
    public static async Task<IReadOnlyList<CaptureSymbol>> ReadSymbolsAsync(string path, CancellationToken cancellationToken = default)
    {
        using CsvCaptureReader reader = Open(path);
        var scratch = new Tick[1];
        int read = await reader.ReadAsync(scratch, cancellationToken).ConfigureAwait(false);
        if (read == 0 || reader.Symbols.Any(static s => s.Declared))
        {
            return [.. reader.Symbols];
        }

        scratch = new Tick[4096];
        while (await reader.ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        return [.. reader.Symbols];
    }

    /// <summary>Fills <paramref name="destination"/> with the next events; returns 0 at the end of the file.</summary>
    /// <exception cref="CaptureFormatException">A defect in the file, thrown once the events before it were returned.</exception>
    public int Read(Span<Tick> destination)
    {
        int count = 0;
        while (count < destination.Length)
        {
            count += ParseBuffered(destination.Slice(count));
            if (count == destination.Length || Completed || (_pendingError is not null && count > 0))
            {
                break;
            }

            ThrowPending();
            if (!NeedsInput())
            {
                continue;
            }

            int read;
            try
            {
                read = _stream.Read(PrepareFill());
            }
            catch (Exception ex) when (DeferReadFailure(ex))
            {
                continue;
            }

            OnFilled(read);
        }

        if (count == 0)
        {
            ThrowPending();
        }

        return count;
    }

    /// <summary>Fills <paramref name="destination"/> with the next events; returns 0 at the end of the file.</summary>
    /// <exception cref="CaptureFormatException">A defect in the file, thrown once the events before it were returned.</exception>
    public async ValueTask<int> ReadAsync(Tick[] destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        int count = 0;
        while (count < destination.Length)
        {
            count += ParseBuffered(destination.AsSpan(count));
            if (count == destination.Length || Completed || (_pendingError is not null && count > 0))
            {
                break;
            }

            ThrowPending();
            if (!NeedsInput())
            {
                continue;
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(PrepareFillMemory(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (DeferReadFailure(ex))
            {
                continue;
            }

            OnFilled(read);
        }

        if (count == 0)
        {
            ThrowPending();
        }

        return count;
    }

    /// <summary>
    /// A defect met while filling the buffer is held, not thrown, so the events already parsed before it are returned
    /// first (the "nothing already played is lost" rule); the next read throws it. Shared by Read and ReadAsync.
    /// </summary>
    private bool DeferReadFailure(Exception exception)
    {
        switch (exception)
        {
            case Lz4FrameException lz4:
                _pendingError = Compressed(lz4);
                return true;
            case CaptureFormatException format:
                _pendingError = format;
                return true;
            default:
                return false;
        }
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    // Buffer management -------------------------------------------------------------------------------------

    /// <summary>True when no complete line is buffered (the caller must read more).</summary>
    private bool NeedsInput() => !_streamEnded && _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n') < 0;

    private Span<byte> PrepareFill() => _buffer.AsSpan(Compact());

    private Memory<byte> PrepareFillMemory() => _buffer.AsMemory(Compact());

    private int Compact()
    {
        if (_start > 0)
        {
            int remaining = _end - _start;
            _buffer.AsSpan(_start, remaining).CopyTo(_buffer);
            _bufferOffset += _start;
            _start = 0;
            _end = remaining;
        }

        if (_end == _buffer.Length)
        {
            _line++;
            _lineOffset = _bufferOffset;
            Fail($"line longer than {BufferSize} bytes");
        }

        return _end;
    }

    private void OnFilled(int read)
    {
        if (read == 0)
        {
            _streamEnded = true;
        }

        _end += read;
    }

    private void ThrowPending()
    {
        if (_pendingError is not null)
        {
            Exception error = _pendingError;
            _pendingError = null;
            Completed = true;
            throw error;
        }
    }

    private CaptureFormatException Compressed(Lz4FrameException ex) => new(Source, 0, ex.Offset, compressedOffset: true, ex.Problem, ex);
}
