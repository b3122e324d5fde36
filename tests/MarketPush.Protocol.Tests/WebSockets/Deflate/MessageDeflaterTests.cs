using System.Text;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Protocol.Tests.WebSockets.Deflate;

public sealed unsafe class MessageDeflaterTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(6, true)]
    [InlineData(9, true)]
    [InlineData(6, false)]
    public void Compress_EveryCorpusMessage_InflatesWithZlibAfterAppendingTheMarker_WithoutEndingTheStream(int level, bool resetBetweenMessages)
    {
        using var deflater = new MessageDeflater(level);
        using var zlib = new ZlibReference(resetBetweenMessages);
        foreach (byte[] message in DeflateCorpus.Create(seed: 7 + level, randomCount: 150))
        {
            byte[] payload = Compress(deflater, message);

            byte[]? inflated = zlib.InflateMessage(payload, message.Length, out string? failure);

            Assert.True(inflated is not null, $"{message.Length}-byte message: {failure}");
            Assert.Equal(message, inflated);
        }
    }

    [Fact]
    public void Compress_Corpus_ExercisesEveryWayOfEndingTheMessage()
    {
        // The corpus must reach each branch of the sync-flush conversion, or the zlib test above proves less than it says.
        using var deflater = new MessageDeflater(6);
        using LibDeflateCompressorHandle raw = LibDeflateNative.CreateCompressor(6);
        int multiBlock = 0, topBitsSet = 0, fitsInPadding = 0, paddingTooShort = 0;
        foreach (byte[] message in DeflateCorpus.Create(seed: 13, randomCount: 150))
        {
            if (message.Length == 0)
            {
                continue;
            }

            byte[] libdeflateOutput = RawLibDeflate(raw, message);
            int ours = Compress(deflater, message).Length;
            if ((libdeflateOutput[0] & 1) == 0)
            {
                multiBlock++;
            }
            else if ((libdeflateOutput[^1] & 0xE0) != 0)
            {
                topBitsSet++;
                Assert.Equal(libdeflateOutput.Length + 1, ours);
            }
            else if (ours == libdeflateOutput.Length)
            {
                fitsInPadding++;
            }
            else
            {
                Assert.Equal(libdeflateOutput.Length + 1, ours);
                paddingTooShort++;
            }
        }

        Assert.True(multiBlock > 0, "no message took the zlib fallback");
        Assert.True(topBitsSet > 0, "no message ended past bit 5 with a set top bit");
        Assert.True(fitsInPadding > 0, "no message had room for the stored-block header in its padding");
        Assert.True(paddingTooShort > 0, "no message with zero top bits still needed the 00 byte");
    }

    [Fact]
    public void Compress_SameMessageTwice_GivesIdenticalBytes()
    {
        using var deflater = new MessageDeflater();
        var random = new Random(3);
        byte[][] messages = [DeflateCorpus.Json(random, 1024), DeflateCorpus.Json(random, 300), new byte[65_536], DeflateCorpus.Json(random, 60_000)];
        random.NextBytes(messages[2]); // incompressible 64 KiB: several stored blocks, so the zlib path

        foreach (byte[] message in messages)
        {
            byte[] first = Compress(deflater, message);
            Compress(deflater, DeflateCorpus.Json(random, 2000)); // anything in between must not leak into the next message
            byte[] second = Compress(deflater, message);

            Assert.Equal(first, second);
        }
    }

    [Fact]
    public void Compress_SameMessageOnTwoDeflaters_GivesIdenticalBytes()
    {
        // Several encoding threads may each compress a message; every subscriber must still see one byte sequence.
        using var one = new MessageDeflater();
        using var two = new MessageDeflater();
        byte[] message = DeflateCorpus.Json(new Random(5), 4096);

        Assert.Equal(Compress(one, message), Compress(two, message));
    }

    [Fact]
    public void Compress_EmptyMessage_IsASingleZeroByte()
    {
        using var deflater = new MessageDeflater();

        Assert.Equal([0x00], Compress(deflater, []));
    }

    [Fact]
    public void Compress_JsonQuotes_ShrinkToLessThanHalf()
    {
        using var deflater = new MessageDeflater();
        byte[] message = DeflateCorpus.Json(new Random(11), 1024);

        Assert.True(Compress(deflater, message).Length < 512);
    }

    [Fact]
    public void Compress_Throws_WhenOutputIsSmallerThanTheBound()
    {
        using var deflater = new MessageDeflater();
        byte[] message = Encoding.UTF8.GetBytes("Hello");
        byte[] output = new byte[MessageDeflater.GetMaxCompressedLength(message.Length) - 1];

        Assert.Throws<ArgumentException>(() => deflater.Compress(message, output));
    }

    [Fact]
    public void Compress_Throws_AfterDispose()
    {
        var deflater = new MessageDeflater();
        deflater.Dispose();

        Assert.Throws<ObjectDisposedException>(() => deflater.Compress([1, 2, 3], new byte[64]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void Constructor_RejectsLevelsOutsideOneToNine(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MessageDeflater(level));
    }

    [Fact]
    public void GetMaxCompressedLength_CoversLibdeflateAndZlibWorstCases()
    {
        foreach (int length in new[] { 0, 1, 100, 4095, 4096, 5000, 5001, 65_536, 1 << 20, 16 << 20 })
        {
            int ours = MessageDeflater.GetMaxCompressedLength(length);

            // libdeflate's bound plus the 9-byte check trailer; zlib's Z_FINISH bound plus the 5-byte sync-flush block.
            Assert.True(ours >= (int)LibDeflateNative.DeflateCompressBound(0, (nuint)length) + 9, $"libdeflate bound at {length}");
            Assert.True(ours >= ZlibReference.DeflateBound(length) + 5, $"zlib bound at {length}");
        }
    }

    [Fact]
    public void Compress_AllocatesNothing_InSteadyState()
    {
        using var deflater = new MessageDeflater();
        var random = new Random(17);
        byte[][] messages = [DeflateCorpus.Json(random, 1024), DeflateCorpus.Json(random, 300), DeflateCorpus.Json(random, 3000)];
        byte[] output = new byte[MessageDeflater.GetMaxCompressedLength(3000)];
        foreach (byte[] message in messages)
        {
            deflater.Compress(message, output); // warm the pools
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++)
        {
            deflater.Compress(messages[i % messages.Length], output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    internal static byte[] Compress(MessageDeflater deflater, ReadOnlySpan<byte> message)
    {
        byte[] output = new byte[MessageDeflater.GetMaxCompressedLength(message.Length)];
        int written = deflater.Compress(message, output);
        return output.AsSpan(0, written).ToArray();
    }

    private static byte[] RawLibDeflate(LibDeflateCompressorHandle compressor, byte[] message)
    {
        byte[] output = new byte[MessageDeflater.GetMaxCompressedLength(message.Length)];
        fixed (byte* source = message)
        fixed (byte* destination = output)
        {
            nuint written = LibDeflateNative.DeflateCompress(compressor, source, (nuint)message.Length, destination, (nuint)output.Length);
            Assert.NotEqual(0u, written);
            return output.AsSpan(0, (int)written).ToArray();
        }
    }
}
