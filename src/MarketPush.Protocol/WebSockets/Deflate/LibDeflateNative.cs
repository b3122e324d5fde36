using System.Runtime.InteropServices;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// P/Invoke surface of libdeflate (Debian's libdeflate.so.0, v1.14 on the build machines): whole-buffer raw DEFLATE,
/// no streaming and no zlib/gzip wrapper. Used by <see cref="MessageDeflater"/> (compress, and a check decode) and
/// <see cref="MessageInflater"/> (decompress). A compressor or decompressor is not thread-safe; each owner keeps its own.
/// </summary>
internal static unsafe partial class LibDeflateNative
{
    private const string LibraryName = "libdeflate.so.0";

    /// <summary><c>enum libdeflate_result</c>.</summary>
    internal enum Result
    {
        Success = 0,
        BadData = 1,
        ShortOutput = 2,
        InsufficientSpace = 3,
    }

    /// <summary>A compressor for <paramref name="level"/> (0..12); throws when libdeflate cannot allocate one.</summary>
    internal static LibDeflateCompressorHandle CreateCompressor(int level)
    {
        LibDeflateCompressorHandle compressor = AllocCompressor(level);
        if (compressor.IsInvalid)
        {
            compressor.Dispose();
            throw new OutOfMemoryException($"libdeflate could not allocate a level {level} compressor.");
        }

        return compressor;
    }

    /// <summary>A decompressor; throws when libdeflate cannot allocate one.</summary>
    internal static LibDeflateDecompressorHandle CreateDecompressor()
    {
        LibDeflateDecompressorHandle decompressor = AllocDecompressor();
        if (decompressor.IsInvalid)
        {
            decompressor.Dispose();
            throw new OutOfMemoryException("libdeflate could not allocate a decompressor.");
        }

        return decompressor;
    }

    /// <summary>Returns an invalid handle when out of memory or when <paramref name="level"/> is outside 0..12.</summary>
    [LibraryImport(LibraryName, EntryPoint = "libdeflate_alloc_compressor")]
    private static partial LibDeflateCompressorHandle AllocCompressor(int level);

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_free_compressor")]
    internal static partial void FreeCompressor(nint compressor);

    /// <summary>Returns the compressed size, or 0 when the output did not fit in <paramref name="outAvailable"/>.</summary>
    [LibraryImport(LibraryName, EntryPoint = "libdeflate_deflate_compress")]
    internal static partial nuint DeflateCompress(LibDeflateCompressorHandle compressor, byte* input, nuint inLength, byte* output, nuint outAvailable);

    /// <summary>Worst-case output size; libdeflate 1.14 accepts a null compressor here.</summary>
    [LibraryImport(LibraryName, EntryPoint = "libdeflate_deflate_compress_bound")]
    internal static partial nuint DeflateCompressBound(nint compressor, nuint inLength);

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_alloc_decompressor")]
    private static partial LibDeflateDecompressorHandle AllocDecompressor();

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_free_decompressor")]
    internal static partial void FreeDecompressor(nint decompressor);

    /// <summary>
    /// Decodes one raw DEFLATE stream, stopping after its BFINAL block. Never writes past <paramref name="outAvailable"/>:
    /// output that would not fit ends the call with <see cref="Result.InsufficientSpace"/>, so a decompression bomb
    /// costs at most the cap's worth of work. <paramref name="actualIn"/> is the number of input bytes the stream used.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "libdeflate_deflate_decompress_ex")]
    internal static partial Result DeflateDecompressEx(
        LibDeflateDecompressorHandle decompressor, byte* input, nuint inLength, byte* output, nuint outAvailable, out nuint actualIn, out nuint actualOut);
}
