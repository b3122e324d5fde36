using System.Runtime.InteropServices;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>Owns one native <c>libdeflate_compressor</c> (a few hundred KiB of match-finder tables).</summary>
internal sealed class LibDeflateCompressorHandle : SafeHandle
{
    public LibDeflateCompressorHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        LibDeflateNative.FreeCompressor(handle);
        return true;
    }
}
