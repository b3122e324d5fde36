using System.Runtime.InteropServices;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>
/// P/Invoke surface of the LZ4 frame API (<c>lz4frame.h</c>) in Debian's liblz4.so.1 (v1.9.4 on the build machines):
/// the streaming compressor and decompressor that produce and read the frame format of
/// <c>doc/lz4_Frame_format.md</c>, the same one the <c>lz4</c> command and python's <c>lz4.frame</c> use.
/// Used only by <see cref="Lz4FrameStream"/>; a context is not thread-safe, each stream owns its own.
/// Every <c>size_t</c> result is either a size or an error code; test it with <see cref="IsError"/>.
/// </summary>
internal static unsafe partial class Lz4FrameNative
{
    /// <summary><c>LZ4F_VERSION</c>: the API version the context structures are laid out for.</summary>
    internal const uint ApiVersion = 100;

    /// <summary>Frame magic number, little-endian on disk: 04 22 4D 18.</summary>
    internal const uint FrameMagic = 0x184D2204;

    /// <summary>Largest frame header (magic, descriptor, content size, dictionary id, header checksum).</summary>
    internal const int MaxHeaderSize = 19;

    private const string LibraryName = "liblz4.so.1";

    /// <summary><c>LZ4F_blockSizeID_t</c>.</summary>
    internal enum BlockSizeId : uint
    {
        Default = 0,
        Max64KB = 4,
        Max256KB = 5,
        Max1MB = 6,
        Max4MB = 7,
    }

    /// <summary><c>LZ4F_frameInfo_t</c> (32 bytes; enums are C ints).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FrameInfo
    {
        public BlockSizeId BlockSizeId;
        public uint BlockMode;            // 0 linked, 1 independent
        public uint ContentChecksumFlag;  // 1: xxHash32 of the whole content after the end mark
        public uint FrameType;            // 0 frame, 1 skippable
        public ulong ContentSize;         // 0: unknown
        public uint DictId;
        public uint BlockChecksumFlag;
    }

    /// <summary><c>LZ4F_preferences_t</c> (56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Preferences
    {
        public FrameInfo FrameInfo;
        public int CompressionLevel;      // 0..2 fast; 3..12 LZ4HC
        public uint AutoFlush;
        public uint FavorDecSpeed;
        public uint Reserved0;
        public uint Reserved1;
        public uint Reserved2;
    }

    [LibraryImport(LibraryName, EntryPoint = "LZ4F_isError")]
    internal static partial uint IsError(nuint code);

    [LibraryImport(LibraryName, EntryPoint = "LZ4F_getErrorName")]
    internal static partial nint GetErrorName(nuint code);

    [LibraryImport(LibraryName, EntryPoint = "LZ4F_createCompressionContext")]
    internal static partial nuint CreateCompressionContext(out Lz4CompressionContextHandle context, uint version);

    [LibraryImport(LibraryName, EntryPoint = "LZ4F_freeCompressionContext")]
    internal static partial nuint FreeCompressionContext(nint context);

    /// <summary>Worst-case output of one <see cref="CompressUpdate"/> of <paramref name="sourceSize"/> bytes plus everything the context may still buffer (and the end mark).</summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4F_compressBound")]
    internal static partial nuint CompressBound(nuint sourceSize, Preferences* preferences);

    /// <summary>Writes the frame header (at most <see cref="MaxHeaderSize"/> bytes); returns its size.</summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4F_compressBegin")]
    internal static partial nuint CompressBegin(Lz4CompressionContextHandle context, byte* destination, nuint capacity, Preferences* preferences);

    /// <summary>Buffers input and writes every block it completes; returns the bytes written (often 0).</summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4F_compressUpdate")]
    internal static partial nuint CompressUpdate(Lz4CompressionContextHandle context, byte* destination, nuint capacity, byte* source, nuint sourceSize, void* options);

    /// <summary>Writes the buffered partial block now; returns the bytes written.</summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4F_flush")]
    internal static partial nuint Flush(Lz4CompressionContextHandle context, byte* destination, nuint capacity, void* options);

    /// <summary>Writes the last block, the end mark and the content checksum; returns the bytes written.</summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4F_compressEnd")]
    internal static partial nuint CompressEnd(Lz4CompressionContextHandle context, byte* destination, nuint capacity, void* options);

    [LibraryImport(LibraryName, EntryPoint = "LZ4F_createDecompressionContext")]
    internal static partial nuint CreateDecompressionContext(out Lz4DecompressionContextHandle context, uint version);

    [LibraryImport(LibraryName, EntryPoint = "LZ4F_freeDecompressionContext")]
    internal static partial nuint FreeDecompressionContext(nint context);

    /// <summary>
    /// Consumes up to <paramref name="sourceSize"/> input bytes and writes up to <paramref name="destinationSize"/>
    /// output bytes, updating both to what it actually used. Returns a hint of how many input bytes the next call
    /// wants (0: the frame is complete and its checksum verified), or an error code. Output the destination could not
    /// take stays in the context and comes out of the next call, even one with no new input.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4F_decompress")]
    internal static partial nuint Decompress(Lz4DecompressionContextHandle context, byte* destination, ref nuint destinationSize, byte* source, ref nuint sourceSize, void* options);

    /// <summary>The library's name for an error code (e.g. <c>ERROR_contentChecksum_invalid</c>).</summary>
    internal static string ErrorName(nuint code) => Marshal.PtrToStringUTF8(GetErrorName(code)) ?? "unknown LZ4F error";
}
