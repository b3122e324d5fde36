using System.Runtime.InteropServices;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>Owns one native <c>libdeflate_decompressor</c> (about 11 KiB of decode tables).</summary>
internal sealed class LibDeflateDecompressorHandle : SafeHandle
{
    public LibDeflateDecompressorHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        LibDeflateNative.FreeDecompressor(handle);
        return true;
    }
}
