using System.Globalization;
using System.Text;

namespace MarketPush.Protocol.Tests.WebSockets.Deflate;

/// <summary>Seeded messages of the shapes MarketPush sends (JSON quote arrays, book snapshots) plus random and repetitive bytes, 0..64 KiB.</summary>
internal static class DeflateCorpus
{
    private static readonly int[] s_edgeSizes = [0, 1, 2, 3, 5, 17, 55, 56, 100, 255, 256, 257, 1000, 1024, 4095, 4096, 5000, 10_000, 16_384, 32_768, 65_535, 65_536];

    public static List<byte[]> Create(int seed, int randomCount)
    {
        var random = new Random(seed);
        var messages = new List<byte[]>();
        foreach (int size in s_edgeSizes)
        {
            messages.Add(Json(random, size));
            messages.Add(RandomBytes(random, size));
            messages.Add(Repetitive(random, size));
        }

        for (int i = 0; i < randomCount; i++)
        {
            // Mostly small (the common case), some up to 64 KiB.
            int size = i % 5 == 0 ? random.Next(0, 65_537) : random.Next(0, 4_097);
            messages.Add((i % 3) switch
            {
                0 => Json(random, size),
                1 => RandomBytes(random, size),
                _ => Repetitive(random, size),
            });
        }

        return messages;
    }

    public static byte[] Json(Random random, int size)
    {
        var text = new StringBuilder(size + 200);
        text.Append('[');
        while (text.Length < size)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{{\"type\":\"quote\",\"symbol\":\"S{random.Next(5000)}\",\"seq\":{random.Next(1_000_000)},\"ts\":{1_763_769_600_000_000L + random.Next()},\"bid\":{random.Next(1000)}.{random.Next(100):D2},\"bidSize\":{random.Next(10_000)},\"ask\":{random.Next(1000)}.{random.Next(100):D2},\"askSize\":{random.Next(10_000)}}},");
        }

        return Encoding.UTF8.GetBytes(text.ToString(0, size));
    }

    private static byte[] RandomBytes(Random random, int size)
    {
        byte[] bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Repetitive(Random random, int size)
    {
        byte[] unit = new byte[random.Next(1, 40)];
        random.NextBytes(unit);
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++)
        {
            bytes[i] = unit[i % unit.Length];
        }

        return bytes;
    }
}
