using System.Text;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Protocol.Tests.WebSockets.Deflate;

public sealed class MessageInflaterTests
{
    private const int Cap = 16 * 1024;

    [Theory]
    [InlineData("f2 48 cd c9 c9 07 00")]                           // §7.2.3.1: one compressed block
    [InlineData("f2 48 cd c9 c9 07 00 00 00 ff ff 00")]            // §7.2.3.1 sent in a frame flushed with its marker, then an empty frame "00"
    [InlineData("00 05 00 fa ff 48 65 6c 6c 6f 00")]               // §7.2.3.3: a block with no compression
    [InlineData("f3 48 cd c9 c9 07 00 00")]                        // §7.2.3.4: a block with BFINAL set to 1
    [InlineData("f2 48 05 00 00 00 ff ff ca c9 c9 07 00")]         // §7.2.3.5: two blocks in one message
    public void Inflate_Rfc7692Examples_GiveHello(string payloadHex)
    {
        using var inflater = new MessageInflater();

        (InflateStatus status, string text) = InflateText(inflater, Hex(payloadHex));

        Assert.Equal(InflateStatus.Done, status);
        Assert.Equal("Hello", text);
    }

    [Fact]
    public void Inflate_Rfc7692FragmentedExample_GivesHello_WhenFramePayloadsAreJoined()
    {
        // §7.2.3.1: 0x41 0x03 f2 48 cd, then 0x80 0x04 c9 c9 07 00; the reader joins the payloads before inflating.
        using var inflater = new MessageInflater();

        (InflateStatus status, string text) = InflateText(inflater, [.. Hex("f2 48 cd"), .. Hex("c9 c9 07 00")]);

        Assert.Equal(InflateStatus.Done, status);
        Assert.Equal("Hello", text);
    }

    [Fact]
    public void Inflate_Rfc7692SharedWindowExample_IsInvalid_BecauseNoMessageMayReferToAnEarlierOne()
    {
        // §7.2.3.2: the second "Hello" (f2 00 11 00 00) is a back-reference into the first message's window. The
        // server negotiates client_no_context_takeover, so such a message is a protocol error, not "Hello".
        using var inflater = new MessageInflater();
        Assert.Equal((InflateStatus.Done, "Hello"), InflateText(inflater, Hex("f2 48 cd c9 c9 07 00")));

        (InflateStatus status, _) = InflateText(inflater, Hex("f2 00 11 00 00"));

        Assert.Equal(InflateStatus.InvalidData, status);
    }

    [Theory]
    [InlineData("00")] // the empty stored block our deflater and zlib's sync flush produce for an empty message
    [InlineData("")]   // no payload at all: zlib-based peers read it as empty, so we do too
    public void Inflate_EmptyMessage_GivesNoBytes(string payloadHex)
    {
        using var inflater = new MessageInflater();

        InflateStatus status = inflater.Inflate(Hex(payloadHex), new byte[Cap], out int written);

        Assert.Equal(InflateStatus.Done, status);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Inflate_RoundTripsEveryCorpusMessage_CompressedByMessageDeflater()
    {
        using var deflater = new MessageDeflater();
        using var inflater = new MessageInflater();
        foreach (byte[] message in DeflateCorpus.Create(seed: 21, randomCount: 150))
        {
            byte[] payload = MessageDeflaterTests.Compress(deflater, message);
            byte[] output = new byte[message.Length];

            InflateStatus status = inflater.Inflate(payload, output, out int written);

            Assert.Equal(InflateStatus.Done, status);
            Assert.Equal(message.Length, written);
            Assert.Equal(message, output);
        }
    }

    [Fact]
    public void Inflate_ReturnsTooLarge_WhenTheMessageIsOneByteOverTheCap()
    {
        using var deflater = new MessageDeflater();
        using var inflater = new MessageInflater();
        byte[] message = DeflateCorpus.Json(new Random(4), 5000);
        byte[] payload = MessageDeflaterTests.Compress(deflater, message);

        Assert.Equal(InflateStatus.Done, inflater.Inflate(payload, new byte[message.Length], out int exact));
        Assert.Equal(message.Length, exact);
        Assert.Equal(InflateStatus.TooLarge, inflater.Inflate(payload, new byte[message.Length - 1], out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void Inflate_ReturnsTooLarge_ForADecompressionBomb()
    {
        // 1 MB of zeros compresses to about 1 KB; with a 16 KiB cap the inflater must stop at the cap, not expand it all.
        using var deflater = new MessageDeflater();
        using var inflater = new MessageInflater();
        byte[] bomb = MessageDeflaterTests.Compress(deflater, new byte[1_000_000]);
        Assert.True(bomb.Length < 2_000);

        InflateStatus status = inflater.Inflate(bomb, new byte[Cap], out int written);

        Assert.Equal(InflateStatus.TooLarge, status);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Inflate_ReturnsTooLarge_WhenTheOutputSpanIsEmpty()
    {
        using var inflater = new MessageInflater();

        Assert.Equal(InflateStatus.TooLarge, inflater.Inflate(Hex("f2 48 cd c9 c9 07 00"), [], out _));
    }

    [Theory]
    [InlineData("06")]                                 // BTYPE 11 is reserved
    [InlineData("00 05 00 00 00 48 65 6c 6c 6f 00")]   // stored block whose NLEN is not the complement of LEN
    [InlineData("05 ff ff ff ff ff ff ff ff ff ff")]   // dynamic block declaring 288 length and 32 distance codes (max 286, 30)
    public void Inflate_ReturnsInvalidData_ForCorruptDeflate(string payloadHex)
    {
        using var inflater = new MessageInflater();

        InflateStatus status = inflater.Inflate(Hex(payloadHex), new byte[Cap], out int written);

        Assert.Equal(InflateStatus.InvalidData, status);
        Assert.Equal(0, written);
    }

    [Fact]
    public void Inflate_ReturnsInvalidData_ForRandomGarbage()
    {
        using var inflater = new MessageInflater();
        var random = new Random(99);
        int invalid = 0;
        for (int i = 0; i < 200; i++)
        {
            byte[] garbage = new byte[random.Next(20, 400)];
            random.NextBytes(garbage);
            if (inflater.Inflate(garbage, new byte[Cap], out _) == InflateStatus.InvalidData)
            {
                invalid++;
            }
        }

        // Random bytes are occasionally a valid stream (e.g. a stored block of garbage); almost all must be refused.
        Assert.True(invalid > 180, $"only {invalid} of 200 random payloads were refused");
    }

    [Fact]
    public void Inflate_IsCorrect_WhenOneInstanceIsSharedByManyThreads()
    {
        using var deflater = new MessageDeflater();
        using var inflater = new MessageInflater();
        var random = new Random(8);
        byte[][] messages = [.. Enumerable.Range(0, 16).Select(i => DeflateCorpus.Json(random, 200 + (i * 700)))];
        byte[][] payloads = [.. messages.Select(m => MessageDeflaterTests.Compress(deflater, m))];
        int failures = 0;

        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int index = i % messages.Length;
            byte[] output = new byte[Cap];
            if (inflater.Inflate(payloads[index], output, out int written) != InflateStatus.Done
                || !output.AsSpan(0, written).SequenceEqual(messages[index]))
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Inflate_AllocatesNothing_InSteadyState()
    {
        using var deflater = new MessageDeflater();
        using var inflater = new MessageInflater();
        var random = new Random(10);
        byte[] small = MessageDeflaterTests.Compress(deflater, DeflateCorpus.Json(random, 500));
        byte[] large = MessageDeflaterTests.Compress(deflater, DeflateCorpus.Json(random, 12_000)); // over the stack limit
        byte[] output = new byte[Cap];
        inflater.Inflate(small, output, out _);
        inflater.Inflate(large, output, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            inflater.Inflate((i & 1) == 0 ? small : large, output, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Inflate_Throws_AfterDispose()
    {
        var inflater = new MessageInflater();
        inflater.Dispose();

        Assert.Throws<ObjectDisposedException>(() => inflater.Inflate(Hex("00"), new byte[8], out _));
    }

    private static (InflateStatus Status, string Text) InflateText(MessageInflater inflater, byte[] payload)
    {
        byte[] output = new byte[Cap];
        InflateStatus status = inflater.Inflate(payload, output, out int written);
        return (status, Encoding.UTF8.GetString(output, 0, written));
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
