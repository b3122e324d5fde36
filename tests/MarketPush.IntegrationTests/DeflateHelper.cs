using System.IO.Compression;

namespace MarketPush.IntegrationTests;

/// <summary>Client-side permessage-deflate for tests, with .NET's zlib: raw deflate, sync flush, tail stripped (RFC 7692 §7.2.1).</summary>
internal static class DeflateHelper
{
    public static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        byte[] compressed;
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(data);
            deflate.Flush(); // Z_SYNC_FLUSH: ends with 00 00 ff ff
            compressed = output.ToArray();
        }

        Assert.True(compressed.AsSpan().EndsWith(new byte[] { 0x00, 0x00, 0xFF, 0xFF }), "sync flush tail");
        return compressed[..^4];
    }

    /// <summary>RFC 7692 §7.2.2: append 00 00 ff ff, inflate raw deflate.</summary>
    public static byte[] Inflate(byte[] compressed)
    {
        using var input = new MemoryStream([.. compressed, 0x00, 0x00, 0xFF, 0xFF]);
        using var inflate = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }
}
