using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MarketPush.Server;
using Microsoft.Extensions.Logging;
using Xunit.Sdk;

namespace MarketPush.PeerTests;

// The server half of every real-peer test: a MarketPushHost on 127.0.0.1 (ephemeral port, 1 s heartbeat), the
// messages pushed at the peer, and the assertions on what the peer reported. Driven by the test thread only;
// owns the host (DisposeAsync stops it).
//
// Sequence: peer connects -> welcome -> quiet for 2.5 heartbeat intervals (the server pings after one interval of
// silence and closes with 4002 after two, so a peer that does not answer pings is gone by then) -> a message below
// the compression threshold, one above it, one sent in 100-byte continuation frames -> close (server shutdown,
// 1001, or the peer closes with 1000 when it receives CloseCommand).
internal sealed class PeerScenario : IAsyncDisposable
{
    public const int HeartbeatMs = 1000;
    public const int CompressionThresholdBytes = 256;
    public const int FragmentBytes = 100;

    // The peers close with 1000 when they receive exactly this text (passed to them as --close-on / closeOn).
    public const string CloseCommand = "{\"type\":\"peer-test\",\"action\":\"close\"}";

    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    // Below the threshold: always sent as a plain frame.
    public static readonly string SmallText =
        "{\"type\":\"quote\",\"symbol\":\"AAPL\",\"seq\":1041,\"ts\":1763769600123456,\"bid\":189.21,\"bidSize\":300,\"ask\":189.23,\"askSize\":200}";

    // About 2 KiB of book-like JSON with non-ASCII text: compressed for sessions that negotiated deflate.
    public static readonly string LargeText = BuildLargeText();

    // Poorly compressible (seeded random) and full of multi-byte UTF-8, so that even compressed it spans several
    // 100-byte continuation frames, and uncompressed its code points are split across frame boundaries.
    public static readonly string FragmentedText = BuildFragmentedText();

    private readonly MarketPushHost _host;

    private PeerScenario(MarketPushHost host) => _host = host;

    public Uri StreamUri => _host.StreamUri;

    public static async Task<PeerScenario> StartAsync()
    {
        var options = new ServerOptions
        {
            Port = 0,
            HeartbeatMs = HeartbeatMs,
            CompressionThresholdBytes = CompressionThresholdBytes,
            ShutdownTimeoutMs = 5000,
            // Warnings and errors still reach the test output; per-connection information lines would bury them.
            LogLevel = LogLevel.Warning,
        };
        using var cts = new CancellationTokenSource(StepTimeout);
        var host = await MarketPushHost.StartAsync(options, cts.Token);
        return new PeerScenario(host);
    }

    // Runs the whole exchange against a peer that is already connecting, then checks its transcript.
    // `waitForPeerExit` (script peers) returns the peer's exit code once it has seen the close.
    public async Task RunAsync(PeerTranscript transcript, PeerEnding ending, bool expectCompression, Func<Task<int>>? waitForPeerExit = null)
    {
        await transcript.WaitForAsync(e => e.IsMessage || e.Event is "close" or "error", "the welcome message", StepTimeout);
        await WaitUntilAsync(() => _host.SessionCount == 1, "the server to count one session", transcript);

        // Silence for more than two heartbeat intervals: only answered pings keep the session open. The wait is the
        // behaviour under test (a real peer's ping answers over real time), not a wait for an event.
        await Task.Delay(HeartbeatMs * 5 / 2);
        AssertNoCloseOrError(transcript, "after 2.5 heartbeat intervals of silence (the peer must answer the server's pings)");
        PeerAssert.True(_host.SessionCount == 1, transcript, "server dropped the session while the peer was idle (4002 = pings unanswered)");

        _host.BroadcastText(SmallText);
        _host.BroadcastText(LargeText);
        _host.BroadcastText(FragmentedText, FragmentBytes);
        // Wait for three messages after the welcome (whatever they are: the assertions at the end say what is wrong).
        await transcript.WaitUntilAsync(
            events => events.Any(e => e.Event is "close" or "error") || events.Where(e => e.IsMessage).Skip(1).Count(e => !e.IsHeartbeatMessage) >= 3,
            "the three pushed messages", StepTimeout);
        AssertNoCloseOrError(transcript, "while receiving the pushed messages");

        int expectedCode;
        if (ending == PeerEnding.ServerShutdown)
        {
            expectedCode = 1001;
            using var cts = new CancellationTokenSource(StepTimeout);
            await _host.StopAsync().WaitAsync(cts.Token);
        }
        else
        {
            expectedCode = 1000;
            _host.BroadcastText(CloseCommand);
        }

        var close = await transcript.WaitForAsync(e => e.Event is "close" or "error", "the close", StepTimeout);
        AssertTranscript(transcript, expectCompression, ending, expectedCode, close);

        // Every shared frame the session was handed must be back in the pool once it is gone.
        await WaitUntilAsync(() => _host.SessionCount == 0, "the server to drop the session", transcript);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_host.FramePool.Outstanding != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        if (_host.FramePool.Outstanding != 0)
        {
            PeerAssert.True(false, transcript,
                $"{_host.FramePool.Outstanding} shared frames not returned to the pool after the session ended: {_host.FramePool.DescribeOutstanding()}");
        }

        PeerAssert.True(_host.FramePool.DoubleReleases == 0, transcript, $"{_host.FramePool.DoubleReleases} shared frames were released twice");

        if (waitForPeerExit is not null)
        {
            var exitCode = await waitForPeerExit();
            PeerAssert.True(exitCode == 0, transcript, $"peer exited with {exitCode} after the close");
        }
    }

    private static void AssertTranscript(PeerTranscript transcript, bool expectCompression, PeerEnding ending, int expectedCode, PeerEvent close)
    {
        var events = transcript.Snapshot();
        var errors = events.Where(e => e.Event is "error" or "unparsed").ToList();
        PeerAssert.True(errors.Count == 0, transcript, "peer reported errors");

        var open = events.FirstOrDefault(e => e.Event == "open");
        PeerAssert.True(open is not null, transcript, "peer reported no open event");
        if (expectCompression)
        {
            var ext = open!.Extensions ?? "";
            PeerAssert.True(ext.StartsWith("permessage-deflate", StringComparison.Ordinal) && ext.Contains("server_no_context_takeover", StringComparison.Ordinal), transcript,
                $"expected permessage-deflate with server_no_context_takeover to be negotiated, peer saw '{open.Extensions}'");
        }
        else
        {
            PeerAssert.True(string.IsNullOrEmpty(open!.Extensions), transcript, $"expected no extension, peer saw '{open.Extensions}'");
        }

        var messages = events.Where(e => e.IsMessage).ToList();
        PeerAssert.True(messages.Count > 0, transcript, "no message received");
        AssertWelcome(messages[0], expectCompression, transcript);

        var pushed = messages.Skip(1).Where(e => !e.IsHeartbeatMessage).ToList();
        var expected = new List<(string Name, string Text)> { ("small", SmallText), ("large", LargeText), ("fragmented", FragmentedText) };
        if (ending == PeerEnding.ClientClose)
        {
            expected.Add(("close command", CloseCommand));
        }

        PeerAssert.True(pushed.Count == expected.Count, transcript,
            $"expected {expected.Count} pushed messages ({string.Join(", ", expected.Select(x => x.Name))}) after the welcome, peer reported {pushed.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(expected[i].Text);
            var got = pushed[i];
            PeerAssert.True(got.Kind == "text" && got.Length == bytes.Length && got.Sha256 == Sha256Hex(bytes), transcript,
                $"{expected[i].Name} message differs: expected text of {bytes.Length} bytes sha256 {Sha256Hex(bytes)}, got {got.Kind} of {got.Length} bytes sha256 {got.Sha256}");
        }

        PeerAssert.True(close.Event == "close" && close.Code == expectedCode, transcript,
            $"expected the peer to see close code {expectedCode}, it reported: {close.Raw}");
        PeerAssert.True(events[^1] == close || events.SkipWhile(e => e != close).Skip(1).All(e => e.Event is "ping" or "pong"), transcript,
            "peer reported events after the close");
    }

    private static void AssertWelcome(PeerEvent first, bool expectCompression, PeerTranscript transcript)
    {
        PeerAssert.True(first.Kind == "text" && first.Text is not null && PeerEvent.TryGetType(first.Text) == "welcome", transcript,
            $"the first message is not the welcome: {first.Raw}");
        using var doc = JsonDocument.Parse(first.Text!);
        var root = doc.RootElement;
        PeerAssert.True(root.TryGetProperty("compression", out var compression) && compression.ValueKind == (expectCompression ? JsonValueKind.True : JsonValueKind.False), transcript,
            $"welcome should say compression={expectCompression.ToString().ToLowerInvariant()}: {first.Text}");
        PeerAssert.True(root.TryGetProperty("heartbeatMs", out var hb) && hb.ValueKind == JsonValueKind.Number && hb.GetInt32() == HeartbeatMs, transcript,
            $"welcome should carry heartbeatMs={HeartbeatMs}: {first.Text}");
    }

    private static void AssertNoCloseOrError(PeerTranscript transcript, string when)
    {
        var bad = transcript.Snapshot().FirstOrDefault(e => e.Event is "close" or "error");
        PeerAssert.True(bad is null, transcript, $"peer reported '{bad?.Raw}' {when}");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, PeerTranscript transcript)
    {
        var deadline = DateTime.UtcNow + StepTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new XunitException($"{transcript.PeerName}: timed out waiting for {what}\n{transcript.Describe()}");
            }

            await Task.Delay(20);
        }
    }

    public static string Sha256Hex(string text) => Sha256Hex(Encoding.UTF8.GetBytes(text));

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string BuildLargeText()
    {
        var sb = new StringBuilder("{\"type\":\"book\",\"symbol\":\"MC.PA\",\"description\":\"LVMH Moët Hennessy – Société Européenne\",\"bids\":[");
        for (var i = 0; i < 55; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append('[').Append(712.40m - (i * 0.05m)).Append(',').Append(100 + (i * 7)).Append(']');
        }

        sb.Append("],\"asks\":[");
        for (var i = 0; i < 55; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append('[').Append(712.45m + (i * 0.05m)).Append(',').Append(90 + (i * 11)).Append(']');
        }

        sb.Append("],\"note\":\"").Append(string.Concat(Enumerable.Repeat("日本語テキスト ", 20))).Append("\"}");
        return sb.ToString();
    }

    private static string BuildFragmentedText()
    {
        var random = new Random(20260101);
        string[] tokens = ["A", "b", "C", "d", "7", "x", "Q", "z", "0", "€", "日", "本", "é", "😀"];
        var sb = new StringBuilder("{\"type\":\"trade\",\"symbol\":\"7203.T\",\"blob\":\"");
        var bytes = Encoding.UTF8.GetByteCount(sb.ToString());
        while (bytes < 1500)
        {
            var token = tokens[random.Next(tokens.Length)];
            sb.Append(token);
            bytes += Encoding.UTF8.GetByteCount(token);
        }

        return sb.Append("\"}").ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
    }
}
