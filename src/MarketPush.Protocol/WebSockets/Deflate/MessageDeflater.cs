using System.Buffers;
using System.Diagnostics;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// Compresses one outbound message for permessage-deflate with no context (RFC 7692 §7.2.1, server_no_context_takeover):
/// the output depends on the message bytes only, so a message is compressed once and the same bytes go to every
/// compressed subscriber. Called by whichever thread builds a message's compressed frame; not thread-safe, so one
/// instance per encoding thread. Owns a libdeflate compressor and, each created on first need, a libdeflate
/// decompressor for the check decode below and a zlib deflate stream.
/// <para>
/// <b>Why the output is always sync-flush output.</b> libdeflate, the fast path, writes a complete DEFLATE stream whose
/// last block has BFINAL = 1. RFC 7692 §7.2.3.4 allows that, but not every client takes it. Measured in 2025-11 with a
/// throwaway server sending the same messages both ways: Python websockets 10.4 and node ws 8.23 inflate BFINAL = 1
/// messages; .NET 10 ClientWebSocket throws "Data received after the DEFLATE stream was terminated with BFINAL", and
/// Chromium 156 drops the connection (1006). Sync-flush output — non-final blocks, ending in the empty stored block
/// 00 00 ff ff that §7.2.1 strips — is what all four accept, so that is all this type emits, made one of two ways:
/// </para>
/// <list type="number">
/// <item><description>
/// <b>libdeflate, when it emits a single block</b> (then bit 0 of byte 0, that block's BFINAL, is 1; true for JSON up
/// to tens of KiB). Clearing the bit makes the block non-final; what must follow it is an empty stored block: three zero
/// header bits, zero padding to a byte boundary, then 00 00 ff ff (stripped again). libdeflate pads its last byte with
/// zero bits, so when the end-of-block code stops at bit 5 or lower the header fits in that padding and libdeflate's
/// bytes are the answer as they are; otherwise one 00 byte is appended to carry the header. Where the code stops is
/// not recorded, so it is proven, never guessed: a set bit among the last byte's top three means it stops past bit 5;
/// otherwise <see cref="SingleBlockEnd"/> reads the end-of-block code from the block header and matches it against the
/// tail (it settled every dynamic-Huffman block in the tests, over 2,000; about 0.8 µs per 1 KiB message). What it
/// cannot settle (fixed-Huffman blocks, which libdeflate picks for a few tiny inputs) gets a check decode of the
/// candidate without the 00, which decodes completely only when the header really fits: otherwise the stored block's
/// LEN/NLEN read ff00/01ff and every decoder rejects it. Debug builds cross-check the header reading that way too.
/// </description></item>
/// <item><description>
/// <b>zlib</b> (raw deflate, windowBits -15, memLevel 8, deflateReset then Z_SYNC_FLUSH, the trailing 00 00 ff ff
/// removed) when libdeflate splits the message into several blocks, whose last block start is unknown (JSON beyond
/// about 70 KiB at level 1, incompressible data beyond 64 KiB). memLevel 8 keeps zlib's output bound tight; its reset
/// clears a 64 KiB hash head, about 1 µs, noise next to a message that large.
/// </description></item>
/// </list>
/// <para>
/// Speed (throwaway console, 4,096 unique 1 KiB JSON quote arrays, thread CPU time per message over 15 passes, 2-core
/// KVM, 2025-11): level 1 11.5–11.7 µs (libdeflate alone 10.5), output 0.34 of the input; level 6 17.5–18 µs
/// (libdeflate alone 16.5), 0.32. libdeflate's fixed cost (clearing 128–192 KiB of match-finder tables per call) is
/// most of it; zlib measured 16 µs at level 1 and 19 µs at level 6. The 12 µs budget for one unique 1 KiB message
/// needs level 1; the level is the caller's choice.
/// </para>
/// </summary>
public sealed unsafe class MessageDeflater : IDisposable
{
    /// <summary>Appended after a candidate for the check decode: the sync-flush marker, then an empty final stored block.</summary>
    private static ReadOnlySpan<byte> CheckTrailer => [0x00, 0x00, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0xFF, 0xFF];

    private const int ZlibRawWindowBits = -15;
    private const int ZlibMemLevel = 8;

    private readonly int _level;
    private readonly LibDeflateCompressorHandle _compressor;
    private LibDeflateDecompressorHandle? _checker;
    private ZlibDeflateStreamHandle? _zlib;
    private bool _disposed;

    /// <param name="compressionLevel">1 (fastest) to 9 (smallest), as in zlib; applied to libdeflate and to zlib alike.</param>
    public MessageDeflater(int compressionLevel = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(compressionLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(compressionLevel, 9);
        _level = compressionLevel;
        _compressor = LibDeflateNative.CreateCompressor(compressionLevel);
    }

    /// <summary>
    /// The output span <see cref="Compress"/> requires for <paramref name="inputLength"/> bytes. libdeflate 1.14 needs
    /// n + 5 bytes per started 5,000-byte block + 9, zlib's sync flush n + n/4096 + n/16384 + 13; five bytes per
    /// started 4 KiB covers both, and the constant leaves room for the check trailer (9) and an appended 00.
    /// </summary>
    public static int GetMaxCompressedLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        return checked(inputLength + (5 * ((inputLength >> 12) + 1)) + 32);
    }

    /// <summary>
    /// Compresses <paramref name="input"/> as one message. Returns the number of bytes written: a frame payload to
    /// send with RSV1 set. <paramref name="output"/> must hold <see cref="GetMaxCompressedLength"/> bytes; bytes past
    /// the returned count are scratch. The same input always gives the same bytes.
    /// </summary>
    public int Compress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int required = GetMaxCompressedLength(input.Length);
        if (output.Length < required)
        {
            throw new ArgumentException($"The output must hold GetMaxCompressedLength({input.Length}) = {required} bytes.", nameof(output));
        }

        if (input.IsEmpty)
        {
            // What zlib's sync flush gives for no input (00 00 00 ff ff) once the marker is stripped.
            output[0] = 0;
            return 1;
        }

        fixed (byte* source = input)
        fixed (byte* destination = output)
        {
            nuint written = LibDeflateNative.DeflateCompress(
                _compressor, source, (nuint)input.Length, destination, (nuint)(output.Length - CheckTrailer.Length));
            if (written != 0 && (destination[0] & 1) != 0)
            {
                return EndWithEmptyStoredBlock(destination, (int)written, input.Length);
            }

            return CompressWithZlib(source, input.Length, destination, output.Length);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _compressor.Dispose();
        _checker?.Dispose();
        _zlib?.Dispose();
    }

    /// <summary>Turns libdeflate's single final block into sync-flush output (see the type header).</summary>
    private int EndWithEmptyStoredBlock(byte* data, int length, int inputLength)
    {
        data[0] &= 0xFE; // BFINAL = 0
        if ((data[length - 1] & 0xE0) == 0 && HeaderFitsInPadding(data, length, inputLength))
        {
            return length;
        }

        data[length] = 0;
        return length + 1;
    }

    /// <summary>Whether the end-of-block code leaves three zero bits in the last byte, read from the block header when it settles it.</summary>
    private bool HeaderFitsInPadding(byte* data, int length, int inputLength)
    {
        SingleBlockEnd.Fit fit = SingleBlockEnd.Classify(new ReadOnlySpan<byte>(data, length));
        Debug.Assert(
            fit == SingleBlockEnd.Fit.Unknown || (fit == SingleBlockEnd.Fit.HeaderFitsInPadding) == DecodesCompletely(data, length, inputLength),
            "The block-header reading disagrees with the check decode.");
        return fit switch
        {
            SingleBlockEnd.Fit.HeaderFitsInPadding => true,
            SingleBlockEnd.Fit.NeedsExtraByte => false,
            _ => DecodesCompletely(data, length, inputLength),
        };
    }

    /// <summary>Whether <paramref name="data"/> plus the sync-flush marker is a complete non-final DEFLATE message of <paramref name="inputLength"/> bytes.</summary>
    private bool DecodesCompletely(byte* data, int length, int inputLength)
    {
        _checker ??= LibDeflateNative.CreateDecompressor();
        CheckTrailer.CopyTo(new Span<byte>(data + length, CheckTrailer.Length));
        int total = length + CheckTrailer.Length;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(inputLength);
        try
        {
            fixed (byte* decoded = scratch)
            {
                LibDeflateNative.Result result = LibDeflateNative.DeflateDecompressEx(
                    _checker, data, (nuint)total, decoded, (nuint)inputLength, out nuint usedIn, out nuint produced);
                return result == LibDeflateNative.Result.Success && usedIn == (nuint)total && produced == (nuint)inputLength;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private int CompressWithZlib(byte* source, int length, byte* destination, int capacity)
    {
        _zlib ??= ZlibDeflateStreamHandle.Create(_level, ZlibRawWindowBits, ZlibMemLevel);
        ZlibNative.ZStream* stream = _zlib.Stream;
        int rc = ZlibNative.DeflateReset(stream);
        if (rc == ZlibNative.Ok)
        {
            stream->NextIn = source;
            stream->AvailIn = (uint)length;
            stream->NextOut = destination;
            stream->AvailOut = (uint)capacity;
            rc = ZlibNative.Deflate(stream, ZlibNative.SyncFlush);
        }

        // AvailOut == 0 would mean the flush may be unfinished; GetMaxCompressedLength rules it out.
        if (rc != ZlibNative.Ok || stream->AvailIn != 0 || stream->AvailOut == 0)
        {
            throw new InvalidOperationException($"zlib deflate did not complete a sync flush (result {rc}).");
        }

        int written = capacity - (int)stream->AvailOut;
        stream->NextIn = null;
        stream->NextOut = null;
        Debug.Assert(written >= 5 && destination[written - 4] == 0 && destination[written - 3] == 0
            && destination[written - 2] == 0xFF && destination[written - 1] == 0xFF, "A sync flush ends with 00 00 ff ff.");
        return written - 4; // RFC 7692 §7.2.1: remove the 00 00 ff ff tail
    }
}
