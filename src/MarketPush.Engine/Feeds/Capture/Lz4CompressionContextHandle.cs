using System.Runtime.InteropServices;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>Owns one native <c>LZ4F_cctx</c> (compression state plus one block of buffered input).</summary>
internal sealed class Lz4CompressionContextHandle : SafeHandle
{
    public Lz4CompressionContextHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        Lz4FrameNative.FreeCompressionContext(handle);
        return true;
    }
}
