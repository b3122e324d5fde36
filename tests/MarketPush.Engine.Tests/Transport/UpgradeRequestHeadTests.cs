using System.Buffers;
using System.Text;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>
/// The direct upgrade path's request-head parser: it must take exactly the plain upgrade requests it understands,
/// whatever way the bytes are split, and hand everything else to Kestrel (NotDirect) rather than guess.
/// </summary>
public sealed class UpgradeRequestHeadTests
{
    private static readonly byte[] s_prefix = "GET /v1/stream"u8.ToArray();

    private const string Valid =
        "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: chat\r\nsec-websocket-protocol:  marketpush.v1.json \r\n"
        + "Sec-WebSocket-Extensions: permessage-deflate\r\nCookie: a=b\r\n\r\n";

    [Fact]
    public void TryParse_CollectsTheWebSocketHeaders_OneValuePerLine_Trimmed()
    {
        UpgradeRequestStatus status = Parse(Encoding.ASCII.GetBytes(Valid), out UpgradeRequestHead? head, out long consumed);

        Assert.Equal(UpgradeRequestStatus.Complete, status);
        Assert.Equal(Valid.Length, consumed);
        Assert.Equal(["websocket"], head!.Upgrade);
        Assert.Equal(["keep-alive, Upgrade"], head.Connection);
        Assert.Equal(["dGhlIHNhbXBsZSBub25jZQ=="], head.SecWebSocketKey);
        Assert.Equal(["13"], head.SecWebSocketVersion);
        Assert.Equal(["chat", "marketpush.v1.json"], head.SecWebSocketProtocol);
        Assert.Equal(["permessage-deflate"], head.SecWebSocketExtensions);
    }

    [Fact]
    public void TryParse_NeedsMoreData_UntilTheBlankLine_AtEverySplit()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Valid);
        for (int length = 0; length < bytes.Length; length++)
        {
            UpgradeRequestStatus status = Parse(bytes.AsSpan(0, length).ToArray(), out _, out _);
            Assert.True(status == UpgradeRequestStatus.NeedMoreData, $"prefix of {length} bytes: {status}");
        }
    }

    [Fact]
    public void TryParse_GivesTheSameResult_ForEveryTwoSegmentSplit_AndLeavesEarlyFramesUnconsumed()
    {
        byte[] frame = [0x89, 0x80, 1, 2, 3, 4]; // a masked empty ping right behind the head
        byte[] bytes = [.. Encoding.ASCII.GetBytes(Valid), .. frame];
        for (int split = 1; split < bytes.Length; split++)
        {
            ReadOnlySequence<byte> sequence = TwoSegments(bytes.AsMemory(0, split), bytes.AsMemory(split));
            UpgradeRequestStatus status = UpgradeRequestHead.TryParse(sequence, s_prefix, 16 * 1024, out UpgradeRequestHead? head, out SequencePosition end);

            Assert.True(status == UpgradeRequestStatus.Complete, $"split at {split}: {status}");
            Assert.Equal(frame, sequence.Slice(end).ToArray());
            Assert.Equal(["13"], head!.SecWebSocketVersion);
        }
    }

    public static TheoryData<string, string> NotDirect => new()
    {
        { "POST", Valid.Replace("GET ", "POST ", StringComparison.Ordinal) },
        { "other path", Valid.Replace("/v1/stream ", "/v1/streams ", StringComparison.Ordinal) },
        { "healthz", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" },
        { "path case differs", Valid.Replace("/v1/stream ", "/V1/stream ", StringComparison.Ordinal) },
        { "percent-encoded path", Valid.Replace("/v1/stream ", "/v1/%73tream ", StringComparison.Ordinal) },
        { "HTTP/1.0", Valid.Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal) },
        { "no Host", Valid.Replace("Host: 127.0.0.1:8080\r\n", string.Empty, StringComparison.Ordinal) },
        { "two Hosts", Valid.Replace("Host: 127.0.0.1:8080\r\n", "Host: a\r\nHost: b\r\n", StringComparison.Ordinal) },
        { "Host with odd characters", Valid.Replace("Host: 127.0.0.1:8080", "Host: a b", StringComparison.Ordinal) },
        { "a body", Valid.Replace("Cookie: a=b", "Content-Length: 5", StringComparison.Ordinal) },
        { "chunked", Valid.Replace("Cookie: a=b", "Transfer-Encoding: chunked", StringComparison.Ordinal) },
        { "obs-fold", Valid.Replace("Cookie: a=b\r\n", "Cookie: a=b\r\n c=d\r\n", StringComparison.Ordinal) },
        { "space before colon", Valid.Replace("Cookie: a=b", "Cookie : a=b", StringComparison.Ordinal) },
        { "non-ASCII value", Valid.Replace("Cookie: a=b", "Cookie: a=\u00e9", StringComparison.Ordinal) },
        { "control byte in value", Valid.Replace("Cookie: a=b", "Cookie: a=\u0001", StringComparison.Ordinal) },
        { "bare LF in request line", Valid.Replace("GET /v1/stream HTTP/1.1\r\n", "GET /v1/stream\nX HTTP/1.1\r\n", StringComparison.Ordinal) },
        { "query with a space-like byte", Valid.Replace("/v1/stream ", "/v1/stream?a=\"b\" ", StringComparison.Ordinal) },
        { "TLS ClientHello", "\u0016\u0003\u0001\u0002\u0000\u0001" },
        { "HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(NotDirect))]
    public void TryParse_HandsUnusualRequestsToKestrel(string name, string request)
    {
        UpgradeRequestStatus status = Parse(Encoding.Latin1.GetBytes(request), out UpgradeRequestHead? head, out _);

        Assert.True(status == UpgradeRequestStatus.NotDirect, $"{name}: {status}");
        Assert.Null(head);
    }

    [Fact]
    public void TryParse_RefusesAfterTheFirstBytes_WhenTheRequestLineCannotMatch()
    {
        Assert.Equal(UpgradeRequestStatus.NotDirect, Parse("GET /m"u8.ToArray(), out _, out _));
        Assert.Equal(UpgradeRequestStatus.NotDirect, Parse("GET /v1/streamx"u8.ToArray(), out _, out _));
        Assert.Equal(UpgradeRequestStatus.NeedMoreData, Parse("GET /v1/str"u8.ToArray(), out _, out _));
        Assert.Equal(UpgradeRequestStatus.NeedMoreData, Parse("GET /v1/stream?x"u8.ToArray(), out _, out _));
    }

    [Fact]
    public void TryParse_HandsOnAHeadOverTheCap_EvenBeforeItEnds()
    {
        string big = Valid.Replace("Cookie: a=b", "Cookie: " + new string('c', 300), StringComparison.Ordinal);
        byte[] bytes = Encoding.ASCII.GetBytes(big);

        Assert.Equal(UpgradeRequestStatus.NotDirect, UpgradeRequestHead.TryParse(new ReadOnlySequence<byte>(bytes), s_prefix, 256, out _, out _));
        Assert.Equal(UpgradeRequestStatus.NotDirect, UpgradeRequestHead.TryParse(new ReadOnlySequence<byte>(bytes, 0, 300), s_prefix, 256, out _, out _));
        Assert.Equal(UpgradeRequestStatus.Complete, UpgradeRequestHead.TryParse(new ReadOnlySequence<byte>(bytes), s_prefix, 16 * 1024, out _, out _));
    }

    [Fact]
    public void TryParse_HandsOnMoreThanAHundredHeaders()
    {
        var many = new StringBuilder(Valid[..^2]);
        for (int i = 0; i < 95; i++)
        {
            many.Append("X-").Append(i).Append(": y\r\n");
        }

        UpgradeRequestStatus status = Parse(Encoding.ASCII.GetBytes(many.Append("\r\n").ToString()), out _, out _);

        Assert.Equal(UpgradeRequestStatus.NotDirect, status);
    }

    private static ReadOnlySequence<byte> TwoSegments(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second)
    {
        var head = new Segment(first, 0);
        var tail = new Segment(second, first.Length);
        head.SetNext(tail);
        return new ReadOnlySequence<byte>(head, 0, tail, second.Length);
    }

    private static UpgradeRequestStatus Parse(byte[] bytes, out UpgradeRequestHead? head, out long consumed)
    {
        var sequence = new ReadOnlySequence<byte>(bytes);
        UpgradeRequestStatus status = UpgradeRequestHead.TryParse(sequence, s_prefix, 16 * 1024, out head, out SequencePosition end);
        consumed = sequence.Slice(0, end).Length;
        return status;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
