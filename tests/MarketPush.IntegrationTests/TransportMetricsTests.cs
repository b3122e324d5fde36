using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using MarketPush.IntegrationTests.Pipeline;

namespace MarketPush.IntegrationTests;

/// <summary>
/// What the send and receive paths record on <c>/metrics</c>, read the way Prometheus reads it: a JSON client and a
/// compressed MessagePack client take live quotes from the synthetic feed, then the scrape must show their messages
/// and bytes under the right (encoding, compressed) labels, socket writes, queue depths, fresh tick ages, the open
/// connections, and after they leave, their sessions closed with 1000.
/// </summary>
public sealed class TransportMetricsTests
{
    private static readonly WebSocketDeflateOptions s_deflate = new() { ClientContextTakeover = false, ServerContextTakeover = false };

    [Fact]
    public async Task Scrape_CountsWritesMessagesTickAgeAndConnections_ByEncodingAndCompression_ThenClosesBy1000()
    {
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync();
        await using MarketClient json = await MarketClient.ConnectAsync(server);
        ClientWebSocket msgpack = await server.ConnectAsync("marketpush.v1.msgpack", s_deflate);
        await json.ReceiveTypeAsync("welcome", server.Token);
        await server.WaitForSessionCountAsync(2);

        await json.SendAsync("""{"op":"subscribe","symbols":["SYM0003"],"channels":["quote"]}""", server.Token);
        // A depth-50 book snapshot is well over the 256-byte compression threshold: the deflate session gets it with
        // RSV1 set, while its small live quotes go uncompressed.
        await msgpack.SendAsync(
            MessagePackJson.Encode(JsonNode.Parse("""{"op":"subscribe","symbols":["SYM0003"],"channels":["quote","book"],"depth":50}""")!),
            WebSocketMessageType.Binary,
            endOfMessage: true,
            server.Token);

        Task<int> msgpackReceived = CountMessagesAsync(msgpack, TimeSpan.FromSeconds(1.5), server.Token);
        List<Received> jsonReceived = await json.ReceiveUntilTimeAsync(DateTimeOffset.UtcNow.AddSeconds(1.5), server.Token);
        Assert.Contains(jsonReceived, m => m.Type == "quote" && !m.IsSnapshot);
        Assert.True(await msgpackReceived > 2, "the MessagePack client got its subscribe reply, snapshots and live updates");

        Scrape open = await ScrapeAsync(server);

        Assert.True(open.Value("marketpush_transport_sent_messages_total", ("encoding", "json"), ("compressed", "false")) >= jsonReceived.Count + 1);
        Assert.True(open.Value("marketpush_transport_sent_bytes_total", ("encoding", "json"), ("compressed", "false")) > 0);
        Assert.True(open.Value("marketpush_transport_sent_messages_total", ("encoding", "msgpack"), ("compressed", "true")) > 0);
        Assert.True(open.Value("marketpush_transport_sent_bytes_total", ("encoding", "msgpack"), ("compressed", "true")) > 0);
        Assert.True(open.Value("marketpush_transport_sent_messages_total", ("encoding", "msgpack"), ("compressed", "false")) > 0);
        Assert.True(open.Value("marketpush_transport_sent_bytes_total", ("encoding", "msgpack"), ("compressed", "false")) > 0);
        // No JSON client negotiated deflate: nothing may be counted as compressed JSON.
        Assert.Equal(0, open.Value("marketpush_transport_sent_messages_total", ("encoding", "json"), ("compressed", "true")));

        double writes = open.Value("marketpush_transport_write_frames_count");
        Assert.True(writes > 0, "socket writes recorded");
        Assert.True(open.Value("marketpush_transport_write_frames_sum") >= writes, "every write carries at least one frame");
        Assert.True(open.Value("marketpush_session_outbound_queue_frames_count") > 0, "queue depth recorded at wake-ups");

        double ages = open.Value("marketpush_transport_tick_age_seconds_count");
        Assert.True(ages > 0, "tick ages recorded");
        Assert.True(ages <= writes, "at most one tick age per write");
        Assert.Equal(ages, open.Value("marketpush_transport_tick_age_seconds_bucket", ("le", "5")));  // every age under 5 s
        Assert.True(open.Value("marketpush_transport_tick_age_seconds_sum") / ages < 1, "loopback tick ages average well under a second");

        Assert.Equal(2, open.Value("marketpush_transport_open_connections"));

        await json.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, server.Token);
        await msgpack.CloseAsync(WebSocketCloseStatus.NormalClosure, null, server.Token);
        await server.WaitForSessionCountAsync(0);
        Scrape closed = await ScrapeAsync(server);

        Assert.Equal(2, closed.Value("marketpush_session_closes_total", ("code", "1000"), ("reason", "client_closed")));
        Assert.Equal(0, closed.Value("marketpush_session_closes_total", ("code", "1006"), ("reason", "connection_lost")));
        Assert.Equal(0, closed.Value("marketpush_transport_open_connections"));
    }

    private static async Task<int> CountMessagesAsync(ClientWebSocket socket, TimeSpan duration, CancellationToken cancellationToken)
    {
        var buffer = new byte[256 * 1024];
        int messages = 0;
        DateTimeOffset until = DateTimeOffset.UtcNow + duration;
        while (DateTimeOffset.UtcNow < until)
        {
            // Receive with no cancellation (cancelling a ClientWebSocket receive aborts it): a live feed keeps it short.
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            if (result.EndOfMessage)
            {
                messages++;
            }
        }

        return messages;
    }

    private static async Task<Scrape> ScrapeAsync(ServerScope server)
    {
        HttpResult response = await RawWebSocketClient.SendHttpAsync(
            server.Host.Port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", server.Token);
        return new Scrape(response.Body);
    }

    /// <summary>A parsed text exposition: one sample per line, <c>name{a="x",b="y"} value</c>.</summary>
    private sealed class Scrape(string body)
    {
        private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = Parse(body);

        /// <summary>The sample of <paramref name="name"/> with (at least) these labels; fails when there is none.</summary>
        public double Value(string name, params (string Key, string Value)[] labels)
        {
            foreach ((string sampleName, Dictionary<string, string> sampleLabels, double value) in _samples)
            {
                if (sampleName == name && labels.All(l => sampleLabels.TryGetValue(l.Key, out string? v) && v == l.Value))
                {
                    return value;
                }
            }

            throw new Xunit.Sdk.XunitException($"no sample {name}{{{string.Join(',', labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} in the scrape:\n{body}");
        }

        private static List<(string, Dictionary<string, string>, double)> Parse(string text)
        {
            var samples = new List<(string, Dictionary<string, string>, double)>();
            foreach (string raw in text.Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                int brace = line.IndexOf('{', StringComparison.Ordinal);
                int space = line.LastIndexOf(' ');
                string name = brace >= 0 ? line[..brace] : line[..space];
                var labels = new Dictionary<string, string>();
                if (brace >= 0)
                {
                    string inner = line[(brace + 1)..line.LastIndexOf('}')];
                    foreach (string pair in inner.Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        int eq = pair.IndexOf('=', StringComparison.Ordinal);
                        labels[pair[..eq]] = pair[(eq + 1)..].Trim('"');
                    }
                }

                samples.Add((name, labels, double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture)));
            }

            return samples;
        }
    }
}
