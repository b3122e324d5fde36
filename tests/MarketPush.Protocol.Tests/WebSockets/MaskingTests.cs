using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

public class MaskingTests
{
    private static void NaiveMask(Span<byte> data, uint key, int offset)
    {
        for (int i = 0; i < data.Length; i++)
        {
            data[i] ^= (byte)(key >> (8 * ((i + offset) & 3)));
        }
    }

    [Fact]
    public void Apply_MatchesNaiveByteLoop_ForEveryLengthUpTo300AndEveryOffset()
    {
        var random = new Random(6455);
        for (int length = 0; length <= 300; length++)
        {
            for (int offset = 0; offset < 4; offset++)
            {
                uint key = (uint)random.NextInt64(0, 1L << 32);
                // Start at an odd position inside a larger buffer so the wide loads are unaligned too.
                byte[] original = new byte[length + 3];
                random.NextBytes(original);
                byte[] expected = (byte[])original.Clone();
                byte[] actual = (byte[])original.Clone();

                NaiveMask(expected.AsSpan(1, length), key, offset);
                Masking.Apply(actual.AsSpan(1, length), key, offset);

                Assert.True(expected.AsSpan().SequenceEqual(actual), $"length {length}, offset {offset}");
            }
        }
    }

    [Fact]
    public void Apply_UsesKeyBytesInWireOrder()
    {
        // RFC 6455 §5.7: "Hello" masked with key 37 fa 21 3d is 7f 9f 4d 51 58.
        byte[] data = "Hello"u8.ToArray();
        Masking.Apply(data, Frames.ClientKey, 0);
        Assert.Equal(Frames.Hex("7f 9f 4d 51 58"), data);
    }

    [Fact]
    public void Apply_InChunksWithRunningOffset_EqualsOneCall()
    {
        var random = new Random(7);
        byte[] original = new byte[1000];
        random.NextBytes(original);
        byte[] whole = (byte[])original.Clone();
        byte[] chunked = (byte[])original.Clone();
        const uint key = 0xA1B2C3D4;

        Masking.Apply(whole, key, 0);
        int position = 0;
        while (position < chunked.Length)
        {
            int size = Math.Min(random.Next(0, 40), chunked.Length - position);
            Masking.Apply(chunked.AsSpan(position, size), key, position);
            position += size;
        }

        Assert.Equal(whole, chunked);
    }

    [Fact]
    public void Apply_Twice_RestoresTheData()
    {
        byte[] original = new byte[257];
        new Random(1).NextBytes(original);
        byte[] data = (byte[])original.Clone();

        Masking.Apply(data, 0xDEADBEEF, 2);
        Assert.NotEqual(original, data);
        Masking.Apply(data, 0xDEADBEEF, 2);

        Assert.Equal(original, data);
    }
}
