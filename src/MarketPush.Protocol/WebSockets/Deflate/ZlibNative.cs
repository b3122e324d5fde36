using System.Runtime.InteropServices;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// P/Invoke surface of zlib (libz.so.1) for raw-DEFLATE compression with a sync flush, the fallback
/// <see cref="MessageDeflater"/> uses when libdeflate splits a message into several blocks. The z_stream lives in
/// native memory (<see cref="ZlibDeflateStreamHandle"/>) because zlib keeps a pointer back to it between calls.
/// </summary>
internal static unsafe partial class ZlibNative
{
    private const string LibraryName = "libz.so.1";

    internal const int Ok = 0;
    internal const int StreamEnd = 1;
    internal const int SyncFlush = 2;
    internal const int Deflated = 8;
    internal const int DefaultStrategy = 0;

    /// <summary>
    /// <c>z_stream</c> from zlib.h. <c>uLong</c> is C <c>unsigned long</c>, hence <see cref="CULong"/>
    /// (8 bytes on 64-bit Linux, 112 bytes in all).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public CULong TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public CULong TotalOut;
        public nint Msg;
        public nint State;
        public nint ZAlloc;
        public nint ZFree;
        public nint Opaque;
        public int DataType;
        public CULong Adler;
        public CULong Reserved;
    }

    [LibraryImport(LibraryName, EntryPoint = "zlibVersion")]
    internal static partial byte* ZlibVersion();

    /// <summary>The <c>deflateInit2</c> macro: version and struct size let zlib reject a mismatched z_stream layout.</summary>
    [LibraryImport(LibraryName, EntryPoint = "deflateInit2_")]
    internal static partial int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy, byte* version, int streamSize);

    [LibraryImport(LibraryName, EntryPoint = "deflateReset")]
    internal static partial int DeflateReset(ZStream* stream);

    [LibraryImport(LibraryName, EntryPoint = "deflate")]
    internal static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(LibraryName, EntryPoint = "deflateEnd")]
    internal static partial int DeflateEnd(ZStream* stream);
}
