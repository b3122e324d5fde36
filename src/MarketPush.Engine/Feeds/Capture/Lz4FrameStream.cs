using System.IO.Compression;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>
/// A one-way stream over the LZ4 frame format (liblz4's <c>LZ4F_*</c> streaming API), the format of <c>.lz4</c> files
/// written by the <c>lz4</c> command and python's <c>lz4.frame</c>: like <see cref="GZipStream"/>, either
/// <see cref="CompressionMode.Compress"/> (write-only) or <see cref="CompressionMode.Decompress"/> (read-only).
/// Capture files use it (<c>.csv.lz4</c>); the recorder writes on its own task and a replay feed reads on its own,
/// so an instance is used by one thread at a time and is not thread-safe.
/// Writing: 64 KiB linked blocks with a content checksum, as the <c>lz4</c> command writes, plus a checksum per block
/// so a reader stops at a damaged block instead of handing out bad text until the final checksum (level 0 is the
/// fast compressor, 3..12 LZ4HC). Disposing writes the end mark; a writer that is not disposed leaves a truncated
/// frame, which readers report as such.
/// Reading: concatenated frames are read as one stream (as <c>lz4 -d</c> does); input is fed to the decoder one
/// block at a time (its size hint), so a decode error names the offset of the block it is in. A stream that ends
/// inside a frame fails with <see cref="Lz4FrameException"/> after everything decoded before that point was returned.
/// </summary>
public sealed class Lz4FrameStream : Stream
{
    /// <summary>Block size of written frames (LZ4F <c>max64KB</c>): small blocks keep a reader's loss on truncation small.</summary>
    public const int BlockSize = 64 * 1024;

    private const int InputBufferSize = 64 * 1024;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly CompressionMode _mode;
    private readonly Lz4CompressionContextHandle? _compressor;
    private readonly Lz4DecompressionContextHandle? _decompressor;
    private readonly byte[] _buffer;
    private Lz4FrameNative.Preferences _preferences;
    private bool _frameStarted;
    private bool _disposed;

    // Reading state: _buffer[_inputStart.._inputEnd) is compressed input not yet consumed by the decoder.
    private int _inputStart;
    private int _inputEnd;
    private nuint _hint;          // input the decoder wants next; 0 between frames
    private bool _innerEnded;
    private bool _sawFrame;

    /// <param name="inner">The compressed side: read from when decompressing, written to when compressing.</param>
    /// <param name="compressionLevel">Compress only: 0..2 fast, 3..12 LZ4HC (slower, smaller).</param>
    public unsafe Lz4FrameStream(Stream inner, CompressionMode mode, bool leaveOpen = false, int compressionLevel = 0)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(compressionLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(compressionLevel, 12);
        _inner = inner;
        _leaveOpen = leaveOpen;
        _mode = mode;
        if (mode == CompressionMode.Compress)
        {
            if (!inner.CanWrite)
            {
                throw new ArgumentException("The inner stream is not writable.", nameof(inner));
            }

            Check(Lz4FrameNative.CreateCompressionContext(out _compressor, Lz4FrameNative.ApiVersion), "create a compression context", 0);
            _preferences = new Lz4FrameNative.Preferences
            {
                FrameInfo = new Lz4FrameNative.FrameInfo
                {
                    BlockSizeId = Lz4FrameNative.BlockSizeId.Max64KB,
                    BlockMode = 0,
                    ContentChecksumFlag = 1,
                    BlockChecksumFlag = 1, // damage is caught at its block, before that block's bytes are handed out
                },
                CompressionLevel = compressionLevel,
            };

            fixed (Lz4FrameNative.Preferences* preferences = &_preferences)
            {
                nuint bound = Lz4FrameNative.CompressBound(BlockSize, preferences);
                _buffer = new byte[checked((int)bound + Lz4FrameNative.MaxHeaderSize)];
            }
        }
        else if (mode == CompressionMode.Decompress)
        {
            if (!inner.CanRead)
            {
                throw new ArgumentException("The inner stream is not readable.", nameof(inner));
            }

            Check(Lz4FrameNative.CreateDecompressionContext(out _decompressor, Lz4FrameNative.ApiVersion), "create a decompression context", 0);
            _buffer = new byte[InputBufferSize];
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(mode));
        }
    }

    /// <summary>
    /// Compressed bytes so far: written to the inner stream (compress), or consumed by the decoder (decompress; also
    /// the offset errors report).
    /// </summary>
    public long CompressedPosition { get; private set; }

    /// <summary>Uncompressed bytes written or returned so far.</summary>
    public long UncompressedPosition { get; private set; }

    public override bool CanRead => _mode == CompressionMode.Decompress && !_disposed;

    public override bool CanWrite => _mode == CompressionMode.Compress && !_disposed;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>True when the stream holds an LZ4 frame magic number at <paramref name="header"/>'s start.</summary>
    public static bool StartsWithFrameMagic(ReadOnlySpan<byte> header) =>
        header.Length >= 4 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(header) == Lz4FrameNative.FrameMagic;

    // Reading ---------------------------------------------------------------------------------------------------

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        EnsureMode(CompressionMode.Decompress);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            int produced = DecodeBuffered(buffer);
            if (produced > 0)
            {
                return produced;
            }

            if (_innerEnded)
            {
                return EndOfInput();
            }

            CompactInput();
            int read = _inner.Read(_buffer, _inputEnd, _buffer.Length - _inputEnd);
            OnInputRead(read);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureMode(CompressionMode.Decompress);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            int produced = DecodeBuffered(buffer.Span);
            if (produced > 0)
            {
                return produced;
            }

            if (_innerEnded)
            {
                return EndOfInput();
            }

            CompactInput();
            int read = await _inner.ReadAsync(_buffer.AsMemory(_inputEnd), cancellationToken).ConfigureAwait(false);
            OnInputRead(read);
        }
    }

    /// <summary>Runs the decoder over the buffered input until it produces output or needs more input.</summary>
    private unsafe int DecodeBuffered(Span<byte> destination)
    {
        while (true)
        {
            int available = _inputEnd - _inputStart;

            // Mid-frame, hand over at most the block the decoder asked for, so an error is attributed to that block.
            nuint sourceSize = (nuint)available;
            if (_hint != 0 && _hint < sourceSize)
            {
                sourceSize = _hint;
            }

            if (sourceSize == 0 && _hint == 0)
            {
                return 0; // between frames with nothing buffered
            }

            nuint destinationSize = (nuint)destination.Length;
            nuint result;
            fixed (byte* output = destination)
            fixed (byte* input = _buffer)
            {
                result = Lz4FrameNative.Decompress(_decompressor!, output, ref destinationSize, input + _inputStart, ref sourceSize, null);
            }

            if (Lz4FrameNative.IsError(result) != 0)
            {
                throw new Lz4FrameException($"corrupt LZ4 data: {Lz4FrameNative.ErrorName(result)}", CompressedPosition);
            }

            _sawFrame = true;
            _inputStart += (int)sourceSize;
            CompressedPosition += (long)sourceSize;
            _hint = result;
            if (destinationSize > 0)
            {
                UncompressedPosition += (long)destinationSize;
                return (int)destinationSize;
            }

            if (sourceSize == 0)
            {
                return 0; // nothing consumed, nothing produced: the decoder needs more input
            }
        }
    }

    private void CompactInput()
    {
        int remaining = _inputEnd - _inputStart;
        if (_inputStart > 0)
        {
            _buffer.AsSpan(_inputStart, remaining).CopyTo(_buffer);
            _inputStart = 0;
            _inputEnd = remaining;
        }
    }

    private void OnInputRead(int read)
    {
        if (read == 0)
        {
            _innerEnded = true;
        }

        _inputEnd += read;
    }

    private int EndOfInput()
    {
        if (_hint != 0 || _inputEnd > _inputStart)
        {
            throw new Lz4FrameException("truncated LZ4 frame: the data ends inside a frame", CompressedPosition + (_inputEnd - _inputStart));
        }

        if (!_sawFrame)
        {
            throw new Lz4FrameException("not an LZ4 frame: the data is empty", 0);
        }

        return 0;
    }

    // Writing ---------------------------------------------------------------------------------------------------

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public unsafe override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureMode(CompressionMode.Compress);
        BeginFrame();
        while (!buffer.IsEmpty)
        {
            ReadOnlySpan<byte> chunk = buffer.Slice(0, Math.Min(buffer.Length, BlockSize));
            nuint written;
            fixed (byte* output = _buffer)
            fixed (byte* input = chunk)
            {
                written = Lz4FrameNative.CompressUpdate(_compressor!, output, (nuint)_buffer.Length, input, (nuint)chunk.Length, null);
            }

            Check(written, "compress", CompressedPosition);
            WriteOutput((int)written);
            UncompressedPosition += chunk.Length;
            buffer = buffer.Slice(chunk.Length);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Compress: ends the current block early and flushes the inner stream, so a reader sees everything written so far.</summary>
    public unsafe override void Flush()
    {
        if (_mode != CompressionMode.Compress || _disposed)
        {
            return;
        }

        BeginFrame();
        nuint written;
        fixed (byte* output = _buffer)
        {
            written = Lz4FrameNative.Flush(_compressor!, output, (nuint)_buffer.Length, null);
        }

        Check(written, "flush", CompressedPosition);
        WriteOutput((int)written);
        _inner.Flush();
    }

    private unsafe void BeginFrame()
    {
        if (_frameStarted)
        {
            return;
        }

        nuint written;
        fixed (byte* output = _buffer)
        fixed (Lz4FrameNative.Preferences* preferences = &_preferences)
        {
            written = Lz4FrameNative.CompressBegin(_compressor!, output, (nuint)_buffer.Length, preferences);
        }

        Check(written, "begin a frame", 0);
        _frameStarted = true;
        WriteOutput((int)written);
    }

    private unsafe void EndFrame()
    {
        BeginFrame();
        nuint written;
        fixed (byte* output = _buffer)
        {
            written = Lz4FrameNative.CompressEnd(_compressor!, output, (nuint)_buffer.Length, null);
        }

        Check(written, "end the frame", CompressedPosition);
        WriteOutput((int)written);
        _inner.Flush();
    }

    private void WriteOutput(int count)
    {
        if (count > 0)
        {
            _inner.Write(_buffer, 0, count);
            CompressedPosition += count;
        }
    }

    // Common ----------------------------------------------------------------------------------------------------

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (disposing && _mode == CompressionMode.Compress)
            {
                EndFrame();
            }
        }
        finally
        {
            if (disposing)
            {
                _compressor?.Dispose();
                _decompressor?.Dispose();
                if (!_leaveOpen)
                {
                    _inner.Dispose();
                }
            }

            base.Dispose(disposing);
        }
    }

    private void EnsureMode(CompressionMode mode)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_mode != mode)
        {
            throw new NotSupportedException(mode == CompressionMode.Compress ? "This LZ4 stream decompresses; it cannot be written." : "This LZ4 stream compresses; it cannot be read.");
        }
    }

    private static void Check(nuint result, string what, long offset)
    {
        if (Lz4FrameNative.IsError(result) != 0)
        {
            throw new Lz4FrameException($"LZ4F could not {what}: {Lz4FrameNative.ErrorName(result)}", offset);
        }
    }
}
