using System.Text;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

public class Utf8ValidatorTests
{
    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static TheoryData<string> ValidTexts => new()
    {
        "",
        "plain ascii, long enough to take the vectorized path: 0123456789abcdefghijklmnopqrstuvwxyz",
        "κόσμε",
        "Grüße aus Zürich — €100",
        "日本語のテキスト",
        "emoji 😀🚀 and 𝄞 (U+1D11E)",
        "\u0080\u07FF\u0800\uFFFF\U00010000\U0010FFFF",
    };

    /// <summary>Invalid byte sequences (hex) covering each rule a validator must enforce.</summary>
    public static TheoryData<string> InvalidSequences => new()
    {
        "80",                 // stray continuation byte
        "BF",
        "C0 80",              // overlong 2-byte (NUL)
        "C1 BF",              // overlong 2-byte
        "E0 80 80",           // overlong 3-byte
        "E0 9F BF",           // overlong 3-byte (U+07FF)
        "F0 80 80 80",        // overlong 4-byte
        "F0 8F BF BF",        // overlong 4-byte (U+FFFF)
        "ED A0 80",           // high surrogate U+D800
        "ED BF BF",           // low surrogate U+DFFF
        "ED A0 80 ED B0 80",  // surrogate pair encoded as CESU-8
        "F4 90 80 80",        // U+110000
        "F5 80 80 80",        // lead byte beyond U+10FFFF
        "FE",
        "FF",
        "C3 41",              // lead byte followed by ASCII
        "E2 82 41",
        "E2 28 A1",
        "41 42 C3 28 43",
        "CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80 65 64 69 74 65 64", // Autobahn 6.x: valid text then a surrogate
    };

    private static bool ValidateInChunks(byte[] bytes, IEnumerable<int> cuts)
    {
        var validator = new Utf8Validator();
        int start = 0;
        foreach (int cut in cuts.Append(bytes.Length))
        {
            if (!validator.TryAppend(bytes.AsSpan(start, cut - start)))
            {
                return false;
            }

            start = cut;
        }

        return validator.IsComplete;
    }

    [Theory]
    [MemberData(nameof(ValidTexts))]
    public void TryAppend_AcceptsValidText_SplitAtEveryByteAndEveryPairOfBytes(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        Assert.True(ValidateInChunks(bytes, []));
        for (int a = 0; a <= bytes.Length; a++)
        {
            for (int b = a; b <= bytes.Length; b++)
            {
                Assert.True(ValidateInChunks(bytes, [a, b]), $"cut at {a},{b}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(InvalidSequences))]
    public void TryAppend_RejectsInvalidSequence_WholeAndSplitAtEveryByte(string hex)
    {
        byte[] bytes = Frames.Hex(hex);
        Assert.False(ValidateInChunks(bytes, []));
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.False(ValidateInChunks(bytes, [cut]), $"cut at {cut}");
        }

        Assert.False(ValidateInChunks(bytes, Enumerable.Range(1, bytes.Length - 1)));
    }

    [Theory]
    [InlineData("E0 80")]   // can only become an overlong form
    [InlineData("ED A0")]   // can only become a surrogate
    [InlineData("F4 90")]   // can only exceed U+10FFFF
    [InlineData("F0 8F")]
    [InlineData("C0")]
    public void TryAppend_FailsFast_OnAPrefixNoContinuationCanRepair(string hex)
    {
        var validator = new Utf8Validator();

        Assert.False(validator.TryAppend(Frames.Hex("41 42 " + hex)));
        Assert.True(validator.HasFailed);
    }

    [Theory]
    [InlineData("C3")]
    [InlineData("E2 82")]
    [InlineData("F0 9F 98")]
    public void IsComplete_IsFalse_WhenInputEndsInsideACodePoint(string hex)
    {
        var validator = new Utf8Validator();

        Assert.True(validator.TryAppend(Frames.Hex("41 " + hex)));

        Assert.False(validator.IsComplete);
    }

    [Fact]
    public void TryAppend_StaysFailed_UntilReset()
    {
        var validator = new Utf8Validator();
        Assert.False(validator.TryAppend(Frames.Hex("FF")));
        Assert.False(validator.TryAppend("ok"u8));

        validator.Reset();

        Assert.True(validator.TryAppend("ok"u8));
        Assert.True(validator.IsComplete);
    }

    [Fact]
    public void TryAppend_AgreesWithStrictDecoder_OnRandomBytesInRandomChunks()
    {
        var random = new Random(3629);
        // Bias towards bytes that make UTF-8 interesting: ASCII, continuations and every lead byte class.
        byte[] alphabet = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF];
        for (int round = 0; round < 20000; round++)
        {
            byte[] bytes = new byte[random.Next(0, 12)];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = random.Next(3) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            bool expected;
            try
            {
                s_strict.GetString(bytes);
                expected = true;
            }
            catch (DecoderFallbackException)
            {
                expected = false;
            }

            int[] cuts = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(0, bytes.Length + 1)).Order().ToArray();
            Assert.True(expected == ValidateInChunks(bytes, cuts), $"{Convert.ToHexString(bytes)} cut at [{string.Join(",", cuts)}]");
        }
    }
}
