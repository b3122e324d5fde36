using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Protocol.Tests.WebSockets.Deflate;

public sealed unsafe class SingleBlockEndTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(9)]
    public void Classify_NeverContradictsZlib_AndSettlesAlmostEveryDynamicBlock(int level)
    {
        using LibDeflateCompressorHandle compressor = LibDeflateNative.CreateCompressor(level);
        using var zlib = new ZlibReference();
        int dynamicBlocks = 0, unknownDynamic = 0, settled = 0;
        foreach (byte[] message in DeflateCorpus.Create(seed: 31 + level, randomCount: 300))
        {
            byte[] block = Compress(compressor, message);
            if (message.Length == 0 || (block[0] & 1) == 0)
            {
                continue; // empty, or several blocks: MessageDeflater does not use this path
            }

            block[0] &= 0xFE;
            SingleBlockEnd.Fit fit = SingleBlockEnd.Classify(block);
            bool isDynamic = ((block[0] >> 1) & 3) == 2;
            dynamicBlocks += isDynamic ? 1 : 0;
            if (fit == SingleBlockEnd.Fit.Unknown)
            {
                unknownDynamic += isDynamic ? 1 : 0;
                continue;
            }

            // The truth, from real zlib: the bytes as they are must end on a block boundary exactly when the header fits.
            bool fitsPerZlib = zlib.InflateMessage(block, message.Length, out _) is { } inflated && inflated.AsSpan().SequenceEqual(message);
            Assert.Equal(fitsPerZlib, fit == SingleBlockEnd.Fit.HeaderFitsInPadding);
            settled++;
        }

        Assert.True(dynamicBlocks > 100, $"only {dynamicBlocks} dynamic blocks in the corpus");
        Assert.True(settled > 200);
        Assert.True(unknownDynamic * 20 < dynamicBlocks, $"{unknownDynamic} of {dynamicBlocks} dynamic blocks were left to the check decode");
    }

    [Fact]
    public void Classify_StoredBlock_NeedsAnExtraByte()
    {
        // §7.2.3.3's "Hello" in a stored block: it ends on a byte boundary.
        Assert.Equal(SingleBlockEnd.Fit.NeedsExtraByte, SingleBlockEnd.Classify(Convert.FromHexString("000500FAFF48656C6C6F")));
    }

    [Fact]
    public void Classify_FixedHuffmanBlock_IsUnknown()
    {
        // §7.2.3.1's "Hello": a fixed-Huffman block, whose end-of-block code is seven zero bits, like padding.
        Assert.Equal(SingleBlockEnd.Fit.Unknown, SingleBlockEnd.Classify(Convert.FromHexString("F248CDC9C90700")));
    }

    [Theory]
    [InlineData("04")]                     // a dynamic block cut off in its header
    [InlineData("05FFFFFFFFFFFFFFFFFF")]   // a dynamic block whose code lengths do not decode
    [InlineData("06FFFF")]                 // reserved block type
    public void Classify_MalformedBlock_IsUnknown(string hex)
    {
        Assert.Equal(SingleBlockEnd.Fit.Unknown, SingleBlockEnd.Classify(Convert.FromHexString(hex)));
    }

    private static byte[] Compress(LibDeflateCompressorHandle compressor, byte[] message)
    {
        byte[] output = new byte[MessageDeflater.GetMaxCompressedLength(message.Length)];
        fixed (byte* source = message)
        fixed (byte* destination = output)
        {
            nuint written = LibDeflateNative.DeflateCompress(compressor, source, (nuint)message.Length, destination, (nuint)output.Length);
            return output.AsSpan(0, (int)written).ToArray();
        }
    }
}
