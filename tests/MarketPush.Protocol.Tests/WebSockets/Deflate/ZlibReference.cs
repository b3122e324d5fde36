using System.Runtime.InteropServices;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Protocol.Tests.WebSockets.Deflate;

/// <summary>
/// Real zlib (libz.so.1) as the reference receiver: raw inflate at windowBits -15 after appending 00 00 ff ff
/// (RFC 7692 §7.2.2) on one z_stream, either reset between messages (node ws, .NET) or kept running across them
/// (a receiver that never resets, which is legal when the server sends server_no_context_takeover). A message must
/// inflate completely WITHOUT reaching the end of the DEFLATE stream — a BFINAL block is exactly what .NET and
/// Chromium reject — and must leave zlib waiting for the next block header, or the next message would be misread.
/// </summary>
internal sealed unsafe partial class ZlibReference : IDisposable
{
    private const string LibraryName = "libz.so.1";
    private const int BufError = -5;

    private const int AtBlockBoundary = 128; // z_stream.data_type: inflate stopped right before a block header

    private readonly ZlibNative.ZStream* _stream;
    private readonly bool _resetBetweenMessages;

    public ZlibReference(bool resetBetweenMessages = true)
    {
        _resetBetweenMessages = resetBetweenMessages;
        _stream = (ZlibNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZlibNative.ZStream));
        int rc = InflateInit2(_stream, -15, ZlibNative.ZlibVersion(), sizeof(ZlibNative.ZStream));
        Assert.Equal(ZlibNative.Ok, rc);
    }

    /// <summary>Inflates one message; returns null with <paramref name="failure"/> set when zlib disagrees.</summary>
    public byte[]? InflateMessage(ReadOnlySpan<byte> payload, int expectedMaxLength, out string? failure)
    {
        if (_resetBetweenMessages)
        {
            Assert.Equal(ZlibNative.Ok, InflateReset(_stream));
        }

        byte[] input = [.. payload, 0x00, 0x00, 0xFF, 0xFF];
        byte[] output = new byte[expectedMaxLength + 64];
        fixed (byte* source = input)
        fixed (byte* destination = output)
        {
            _stream->NextIn = source;
            _stream->AvailIn = (uint)input.Length;
            _stream->NextOut = destination;
            _stream->AvailOut = (uint)output.Length;
            int rc = Inflate(_stream, ZlibNative.SyncFlush);
            int produced = output.Length - (int)_stream->AvailOut;
            uint left = _stream->AvailIn;
            _stream->NextIn = null;
            _stream->NextOut = null;
            if (rc == ZlibNative.StreamEnd)
            {
                failure = "the stream ended with a BFINAL block";
                return null;
            }

            if ((rc != ZlibNative.Ok && rc != BufError) || left != 0)
            {
                failure = $"inflate returned {rc} with {left} input bytes left";
                return null;
            }

            if ((_stream->DataType & AtBlockBoundary) == 0 || (_stream->DataType & 7) != 0)
            {
                failure = $"inflate stopped inside a block (data_type {_stream->DataType})";
                return null;
            }

            failure = null;
            return output.AsSpan(0, produced).ToArray();
        }
    }

    /// <summary>zlib's own worst case for a raw stream at windowBits 15, memLevel 8 (the fallback's settings).</summary>
    public static int DeflateBound(int inputLength)
    {
        using var probe = ZlibDeflateStreamHandle.Create(6, -15, 8);
        return (int)DeflateBoundNative(probe.Stream, new CULong((nuint)inputLength)).Value;
    }

    public void Dispose()
    {
        InflateEnd(_stream);
        NativeMemory.Free(_stream);
    }

    [LibraryImport(LibraryName, EntryPoint = "inflateInit2_")]
    private static partial int InflateInit2(ZlibNative.ZStream* stream, int windowBits, byte* version, int streamSize);

    [LibraryImport(LibraryName, EntryPoint = "inflateReset")]
    private static partial int InflateReset(ZlibNative.ZStream* stream);

    [LibraryImport(LibraryName, EntryPoint = "inflate")]
    private static partial int Inflate(ZlibNative.ZStream* stream, int flush);

    [LibraryImport(LibraryName, EntryPoint = "inflateEnd")]
    private static partial int InflateEnd(ZlibNative.ZStream* stream);

    [LibraryImport(LibraryName, EntryPoint = "deflateBound")]
    private static partial CULong DeflateBoundNative(ZlibNative.ZStream* stream, CULong sourceLength);
}
