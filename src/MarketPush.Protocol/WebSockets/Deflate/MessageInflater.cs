using System.Buffers;
using System.Runtime.CompilerServices;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// Inflates one compressed client message (RFC 7692 §7.2.2) into a caller-supplied span whose length is the hard cap.
/// Called by the receive loops through <see cref="MessageReader"/> when a message arrives with RSV1 set.
/// <para>
/// Stateless per message: the server always requests client_no_context_takeover, so no message refers to an earlier
/// one and no connection keeps an inflater (a message that does refer back is <see cref="InflateStatus.InvalidData"/>).
/// Thread-safe: one instance is meant to be shared by every receive loop. It owns a small lock-free pool of native
/// libdeflate decompressors (about 11 KiB each, at most two per core are kept), rented for the length of one call.
/// Nothing is allocated per call in steady state: the input copy lives on the stack up to 1 KiB and in a pooled array
/// above that.
/// </para>
/// <para>
/// libdeflate decodes whole streams and wants a final block, so the input is the payload, the 00 00 ff ff that §7.2.2
/// says to append, then an empty final stored block (01 00 00 ff ff). It never writes past the cap: output that would
/// not fit stops it with <see cref="InflateStatus.TooLarge"/>, so a decompression bomb costs at most a cap's worth of work.
/// A payload that already ends in a BFINAL block (§7.2.3.4) inflates too; the decoder stops at that block.
/// </para>
/// </summary>
public sealed unsafe class MessageInflater : IDisposable
{
    private const int StackInputLimit = 1024;

    private static ReadOnlySpan<byte> Tail => [0x00, 0x00, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0xFF, 0xFF];

    private readonly LibDeflateDecompressorHandle?[] _idle = new LibDeflateDecompressorHandle?[Math.Max(4, 2 * Environment.ProcessorCount)];
    private volatile bool _disposed;

    /// <summary>
    /// Inflates <paramref name="compressedMessage"/> (the payload of all the message's frames, as received) into
    /// <paramref name="output"/>. <paramref name="bytesWritten"/> is the message length when the result is
    /// <see cref="InflateStatus.Done"/>, otherwise 0.
    /// </summary>
    [SkipLocalsInit] // the stack copy is overwritten before use; zeroing it would be wasted work on every message
    public InflateStatus Inflate(ReadOnlySpan<byte> compressedMessage, Span<byte> output, out int bytesWritten)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bytesWritten = 0;
        if (compressedMessage.IsEmpty)
        {
            // Not a complete DEFLATE block, but zlib-based peers (Python websockets, .NET, Chromium) read it as an
            // empty message without complaint, so this reader does too.
            return InflateStatus.Done;
        }

        int inputLength = compressedMessage.Length + Tail.Length;
        byte[]? rented = null;
        Span<byte> input = inputLength <= StackInputLimit
            ? stackalloc byte[StackInputLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(inputLength));
        compressedMessage.CopyTo(input);
        Tail.CopyTo(input.Slice(compressedMessage.Length));

        LibDeflateDecompressorHandle decompressor = Rent();
        try
        {
            byte empty = 0;
            fixed (byte* source = input)
            fixed (byte* pinnedOutput = output)
            {
                byte* destination = output.IsEmpty ? &empty : pinnedOutput;
                LibDeflateNative.Result result = LibDeflateNative.DeflateDecompressEx(
                    decompressor, source, (nuint)inputLength, destination, (nuint)output.Length, out _, out nuint produced);
                switch (result)
                {
                    case LibDeflateNative.Result.Success:
                        bytesWritten = (int)produced;
                        return InflateStatus.Done;
                    case LibDeflateNative.Result.InsufficientSpace:
                        return InflateStatus.TooLarge;
                    default:
                        return InflateStatus.InvalidData;
                }
            }
        }
        finally
        {
            Return(decompressor);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Frees the pooled decompressors. Call once no receive loop can call <see cref="Inflate"/> any more.</summary>
    public void Dispose()
    {
        _disposed = true;
        for (int i = 0; i < _idle.Length; i++)
        {
            Interlocked.Exchange(ref _idle[i], null)?.Dispose();
        }
    }

    private LibDeflateDecompressorHandle Rent()
    {
        LibDeflateDecompressorHandle?[] idle = _idle;
        for (int i = 0; i < idle.Length; i++)
        {
            LibDeflateDecompressorHandle? pooled = Interlocked.Exchange(ref idle[i], null);
            if (pooled is not null)
            {
                return pooled;
            }
        }

        return LibDeflateNative.CreateDecompressor();
    }

    private void Return(LibDeflateDecompressorHandle decompressor)
    {
        if (!_disposed)
        {
            LibDeflateDecompressorHandle?[] idle = _idle;
            for (int i = 0; i < idle.Length; i++)
            {
                if (Interlocked.CompareExchange(ref idle[i], decompressor, null) is null)
                {
                    return;
                }
            }
        }

        // Pool full or disposed. (A return racing Dispose can still park one; its SafeHandle finalizer frees it.)
        decompressor.Dispose();
    }
}
