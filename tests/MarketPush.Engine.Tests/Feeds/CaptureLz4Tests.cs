using System.IO.Compression;
using System.Text;
using MarketPush.Engine.Feeds.Capture;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary>
/// <see cref="Lz4FrameStream"/> against the reference tools, both directions: what we write, <c>lz4 -d</c> and
/// python's <c>lz4.frame</c> decompress byte for byte; what they write (several block sizes, linked and independent
/// blocks, with and without checksums, HC levels), we read byte for byte. Plus cut-off and damaged data.
/// </summary>
public class CaptureLz4Tests
{
    private const int Timeout = 30_000;

    /// <summary>~600 KB of capture-like text: several 64 KiB blocks, compressible but not trivially.</summary>
    private static byte[] SampleText(int rows = 12_000)
    {
        var random = new Random(7);
        var text = new StringBuilder();
        long time = 1_763_769_600_000_000;
        for (int i = 0; i < rows; i++)
        {
            time += random.Next(1, 5_000);
            text.Append(time).Append(",SYM").Append(random.Next(0, 30).ToString("D4")).Append(",quote,")
                .Append(100 + random.Next(0, 5000) / 100.0).Append(',').Append(random.Next(1, 50) * 100).Append(',')
                .Append(150 + random.Next(0, 5000) / 100.0).Append(',').Append(random.Next(1, 50) * 100).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Compress(byte[] data, int level = 0, int writeChunk = 10_007)
    {
        var output = new MemoryStream();
        using (var lz4 = new Lz4FrameStream(output, CompressionMode.Compress, leaveOpen: true, level))
        {
            for (int i = 0; i < data.Length; i += writeChunk)
            {
                lz4.Write(data, i, Math.Min(writeChunk, data.Length - i));
            }
        }

        return output.ToArray();
    }

    private static byte[] Decompress(byte[] compressed, int readChunk = 8_191)
    {
        using var lz4 = new Lz4FrameStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var output = new MemoryStream();
        var buffer = new byte[readChunk];
        int n;
        while ((n = lz4.Read(buffer)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return output.ToArray();
    }

    [Theory(Timeout = Timeout)]
    [InlineData(0)]
    [InlineData(9)]
    public async Task Written_DecompressesWithTheLz4Command(int level)
    {
        using var dir = new CaptureTools.TempDirectory();
        byte[] text = SampleText();
        string path = dir.File("out.csv.lz4");
        await File.WriteAllBytesAsync(path, Compress(text, level));

        byte[] restored = await CaptureTools.Lz4CommandAsync("-d", "-c", path);
        Assert.Equal(text, restored);

        // The command also verifies the frame (content checksum included) without output.
        await CaptureTools.Lz4CommandAsync("-t", path);
    }

    [Fact(Timeout = Timeout)]
    public async Task Written_DecompressesWithPythonLz4Frame()
    {
        using var dir = new CaptureTools.TempDirectory();
        byte[] text = SampleText();
        string path = dir.File("out.csv.lz4");
        await File.WriteAllBytesAsync(path, Compress(text));

        byte[] restored = await CaptureTools.PythonAsync(
            "import sys, lz4.frame; sys.stdout.buffer.write(lz4.frame.decompress(open(sys.argv[1], 'rb').read()))", path);
        Assert.Equal(text, restored);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("")]                          // defaults: 4 MB blocks, independent, content checksum
    [InlineData("-B4 -BD")]                   // 64 KB linked blocks
    [InlineData("-B5 -BX --no-frame-crc")]    // 256 KB blocks with block checksums, no content checksum
    [InlineData("-9 --content-size")]         // LZ4HC, content size in the header
    public async Task Reads_WhatTheLz4CommandWrote(string optionText)
    {
        string[] options = optionText.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        using var dir = new CaptureTools.TempDirectory();
        byte[] text = SampleText();
        string plain = dir.File("in.csv");
        string compressed = dir.File("in.csv.lz4");
        await File.WriteAllBytesAsync(plain, text);
        await CaptureTools.Lz4CommandAsync([.. options, "-q", "-f", plain, compressed]);

        Assert.Equal(text, Decompress(await File.ReadAllBytesAsync(compressed)));
    }

    [Theory(Timeout = Timeout)]
    [InlineData("block_size=lz4.frame.BLOCKSIZE_MAX64KB, block_linked=True, content_checksum=True")]
    [InlineData("block_size=lz4.frame.BLOCKSIZE_MAX4MB, block_linked=False, content_checksum=False, block_checksum=True")]
    [InlineData("compression_level=lz4.frame.COMPRESSIONLEVEL_MINHC, store_size=False")]
    public async Task Reads_WhatPythonLz4FrameWrote(string arguments)
    {
        using var dir = new CaptureTools.TempDirectory();
        byte[] text = SampleText();
        string plain = dir.File("in.csv");
        string compressed = dir.File("in.csv.lz4");
        await File.WriteAllBytesAsync(plain, text);
        await CaptureTools.PythonAsync(
            $"import sys, lz4.frame; open(sys.argv[2], 'wb').write(lz4.frame.compress(open(sys.argv[1], 'rb').read(), {arguments}))", plain, compressed);

        Assert.Equal(text, Decompress(await File.ReadAllBytesAsync(compressed)));
    }

    [Fact]
    public void ConcatenatedFrames_ReadAsOneStream_LikeLz4Dash_d()
    {
        byte[] first = SampleText(500);
        byte[] second = Encoding.ASCII.GetBytes("tail\n");
        byte[] both = [.. Compress(first), .. Compress(second)];

        Assert.Equal([.. first, .. second], Decompress(both));
    }

    [Fact]
    public void EmptyInput_WritesAFrameThatReadsAsNothing()
    {
        byte[] compressed = Compress([]);

        Assert.True(Lz4FrameStream.StartsWithFrameMagic(compressed));
        Assert.Empty(Decompress(compressed));
    }

    [Fact]
    public void TruncatedFrame_ReturnsEveryWholeBlock_ThenFailsWithTheOffset()
    {
        byte[] text = SampleText();
        byte[] compressed = Compress(text);
        foreach (int cut in new[] { compressed.Length - 1, compressed.Length - 5, compressed.Length / 2, 30, 7 })
        {
            using var lz4 = new Lz4FrameStream(new MemoryStream(compressed, 0, cut), CompressionMode.Decompress);
            var output = new MemoryStream();
            var buffer = new byte[4096];
            Lz4FrameException error = Assert.Throws<Lz4FrameException>(() =>
            {
                int n;
                while ((n = lz4.Read(buffer)) > 0)
                {
                    output.Write(buffer, 0, n);
                }
            });

            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
            Assert.Equal(cut, error.Offset);
            byte[] delivered = output.ToArray();
            Assert.Equal(text.AsSpan(0, delivered.Length).ToArray(), delivered); // a prefix, nothing invented

            // Everything up to the last complete 64 KiB block came out before the error.
            if (cut > compressed.Length / 2)
            {
                Assert.True(delivered.Length >= text.Length / 2 - Lz4FrameStream.BlockSize, $"cut {cut}: only {delivered.Length} bytes delivered");
            }
        }
    }

    [Fact]
    public void CorruptBlock_FailsWithTheOffsetOfThatBlock()
    {
        byte[] text = SampleText();
        byte[] compressed = Compress(text);
        int damaged = compressed.Length * 3 / 4;
        compressed[damaged] ^= 0x5A;

        using var lz4 = new Lz4FrameStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var buffer = new byte[4096];
        var output = new MemoryStream();
        Lz4FrameException error = Assert.Throws<Lz4FrameException>(() =>
        {
            int n;
            while ((n = lz4.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
            }
        });

        Assert.Contains("corrupt LZ4 data", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Offset, damaged - Lz4FrameStream.BlockSize - 8, damaged + 8);
        byte[] delivered = output.ToArray();
        Assert.True(delivered.Length > text.Length / 2, $"only {delivered.Length} bytes were delivered before the damage");
        Assert.Equal(text.AsSpan(0, delivered.Length).ToArray(), delivered); // block checksums: no damaged byte got out
    }

    [Fact]
    public void NotAnLz4Frame_Fails()
    {
        using var lz4 = new Lz4FrameStream(new MemoryStream("time_us,symbol\n"u8.ToArray()), CompressionMode.Decompress);

        Lz4FrameException error = Assert.Throws<Lz4FrameException>(() => lz4.Read(new byte[100]));
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void Flush_MakesEverythingWrittenSoFarReadable()
    {
        var output = new MemoryStream();
        var lz4 = new Lz4FrameStream(output, CompressionMode.Compress, leaveOpen: true);
        lz4.Write("first line\n"u8);
        lz4.Flush();

        // The frame is not finished, yet a reader gets the flushed text before reporting the cut.
        using var reader = new Lz4FrameStream(new MemoryStream(output.ToArray()), CompressionMode.Decompress);
        var buffer = new byte[100];
        int n = reader.Read(buffer);
        Assert.Equal("first line\n", Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Throws<Lz4FrameException>(() => reader.Read(buffer));
        lz4.Dispose();
    }
}
