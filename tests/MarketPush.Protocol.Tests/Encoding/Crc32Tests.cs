using System.Globalization;
using System.Text;
using MarketPush.Protocol.Encodings;

namespace MarketPush.Protocol.Tests.Encodings;

public class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Compute_MatchesPublishedCrc32Vectors(string text, uint expected)
    {
        Assert.Equal(expected, Crc32.Compute(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Append_ContinuesACrcLikeZlib()
    {
        byte[] data = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        for (int split = 0; split <= data.Length; split++)
        {
            uint first = Crc32.Compute(data.AsSpan(0, split));
            Assert.Equal(0x414FA339u, Crc32.Append(first, data.AsSpan(split)));
        }
    }

    [PythonFact]
    public void Compute_EqualsPythonZlibCrc32_ForRandomBuffersOfEveryLengthAndAlignment()
    {
        var random = new Random(7);
        var lines = new StringBuilder();
        var expected = new List<uint>();
        byte[] backing = new byte[1100];
        random.NextBytes(backing);
        for (int length = 0; length <= 300; length++)
        {
            int offset = length % 8; // the slicing loop reads 8 bytes at a time: cover every start alignment
            ReadOnlySpan<byte> data = backing.AsSpan(offset, length);
            lines.AppendLine(Convert.ToHexString(data));
            expected.Add(Crc32.Compute(data));
        }

        for (int length = 301; length <= 1000; length += 37)
        {
            lines.AppendLine(Convert.ToHexString(backing.AsSpan(3, length)));
            expected.Add(Crc32.Compute(backing.AsSpan(3, length)));
        }

        string output = PythonPeer.Run(
            "import sys, zlib\nfor line in sys.stdin:\n    print(zlib.crc32(bytes.fromhex(line.strip())))",
            lines.ToString());

        uint[] actual = [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(static s => uint.Parse(s, CultureInfo.InvariantCulture))];
        Assert.Equal(expected, actual);
    }
}
