using System.Runtime.InteropServices;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// Owns one initialised zlib deflate stream: the native <c>z_stream</c> block and zlib's state behind it
/// (about 270 KiB at windowBits 15, memLevel 8). Created lazily by <see cref="MessageDeflater"/>, used by its thread only.
/// </summary>
internal sealed unsafe class ZlibDeflateStreamHandle : SafeHandle
{
    public ZlibDeflateStreamHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    internal ZlibNative.ZStream* Stream => (ZlibNative.ZStream*)handle;

    /// <summary>Raw DEFLATE (negative <paramref name="windowBits"/>: no zlib header or Adler-32 trailer, as RFC 7692 §4 requires).</summary>
    internal static ZlibDeflateStreamHandle Create(int level, int windowBits, int memLevel)
    {
        var stream = (ZlibNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZlibNative.ZStream));
        int rc = ZlibNative.DeflateInit2(
            stream, level, ZlibNative.Deflated, windowBits, memLevel, ZlibNative.DefaultStrategy, ZlibNative.ZlibVersion(), sizeof(ZlibNative.ZStream));
        if (rc != ZlibNative.Ok)
        {
            NativeMemory.Free(stream);
            throw new InvalidOperationException($"zlib deflateInit2 failed with {rc}.");
        }

        var result = new ZlibDeflateStreamHandle();
        result.SetHandle((nint)stream);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        ZlibNative.DeflateEnd((ZlibNative.ZStream*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
