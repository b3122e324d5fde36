using System.Runtime.InteropServices;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>Owns one native <c>LZ4F_dctx</c> (frame parser state and a window of decoded output).</summary>
internal sealed class Lz4DecompressionContextHandle : SafeHandle
{
    public Lz4DecompressionContextHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        Lz4FrameNative.FreeDecompressionContext(handle);
        return true;
    }
}
