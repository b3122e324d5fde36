using System.Text.Json;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>A client forced into conflation (small queue bound, a small socket buffer, a pause in reading) still holds exact books.</summary>
public sealed class ConflatedClientTests
{
    [Fact]
    public async Task ClientThatStopsReadingForAWhile_IsConflated_AndItsBooksAtEveryDepthStillMatchEveryChecksum()
    {
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync(options =>
        {
            options.QueueMaxFrames = 32;
            options.QueueMaxBytes = 32 * 1024;
            options.SlowConsumerMs = 60_000;
        });
        await using MarketClient client = await MarketClient.ConnectAsync(server, receiveBufferBytes: 4096);
        await client.ReceiveTypeAsync("welcome", server.Token);
        int[] depths = [1, 5, 10, 20, 50];
        var books = new Dictionary<string, BookReplica>();
        var quoteSeq = new Dictionary<string, long>();
        for (int d = 0; d < depths.Length; d++)
        {
            string[] symbols = [.. Enumerable.Range(d * 4, 4).Select(i => $"SYM{i:D4}")];
            foreach (string symbol in symbols)
            {
                books[symbol] = new BookReplica(depths[d]);
            }

            await client.SendAsync(
                $$"""{"op":"subscribe","symbols":[{{string.Join(',', symbols.Select(s => $"\"{s}\""))}}],"channels":["quote","book"],"depth":{{depths[d]}}}""",
                server.Token);
        }

        int quoteGaps = 0;
        void Check(IEnumerable<Received> messages)
        {
            foreach (Received message in messages)
            {
                if (message.Type == "book")
                {
                    books[message.Symbol!].Apply(message.Message);
                }
                else if (message.Type == "quote")
                {
                    long previous = quoteSeq.GetValueOrDefault(message.Symbol!);
                    Assert.True(message.Seq > previous, $"{message.Symbol} quote seq {message.Seq} after {previous}");
                    quoteGaps += previous > 0 && message.Seq > previous + 1 ? 1 : 0;
                    quoteSeq[message.Symbol!] = message.Seq;
                }
            }
        }

        Check(await client.ReceiveUntilTimeAsync(DateTimeOffset.UtcNow.AddMilliseconds(700), server.Token));
        MarketPush.Engine.Sessions.Session session = Assert.IsType<MarketPush.Engine.Sessions.Session>(Assert.Single(server.Host.Stream.Sessions.Snapshot()));
        Assert.Equal(32, session.Queue.MaxFrames);
        Assert.Equal(32 * 1024, session.Queue.MaxBytes);
        int snapshotsBefore = books.Values.Sum(b => b.Snapshots);
        Dictionary<string, int> snapshotsBeforeStall = books.ToDictionary(b => b.Key, b => b.Value.Snapshots);
        Dictionary<string, int> deltasBeforeStall = books.ToDictionary(b => b.Key, b => b.Value.Deltas);

        // Stop reading: the socket and the 32-frame queue fill within a fraction of a second, then the server
        // conflates quotes and drops book deltas (which it cannot conflate) until it can resend those books whole.
        // On a loaded machine the feed may take longer to produce that much: wait for both, then a bit more.
        await Eventually.WaitUntilAsync(
            () => server.Host.Composition.Totals.Conflated > 0 && server.Host.Composition.Totals.Dropped > 0,
            TimeSpan.FromSeconds(15),
            "the server conflated a quote and dropped a book delta for the stalled client",
            server.Token);
        Assert.True(server.Host.Composition.Totals.Conflated > 0, "the server never conflated for the stalled client");
        Assert.True(server.Host.Composition.Totals.Dropped > 0, "the server never dropped a book delta for the stalled client");

        // Not a wait for an event: the stall itself goes on a second longer (the behaviour under test is a client that
        // stops reading for a while), so several books fall behind before the client reads again.
        await Task.Delay(1_000, server.Token);

        // Read on until a resynchronising snapshot arrived, behind whatever the socket buffers still held (at most
        // 8 s: a busy machine drains them slowly).
        DateTimeOffset readUntil = DateTimeOffset.UtcNow.AddSeconds(8);
        do
        {
            Check(await client.ReceiveUntilTimeAsync(DateTimeOffset.UtcNow.AddMilliseconds(500), server.Token));
        }
        while (books.Values.Sum(b => b.Snapshots) == snapshotsBefore && DateTimeOffset.UtcNow < readUntil);

        Check(await client.ReceiveUntilTimeAsync(DateTimeOffset.UtcNow.AddSeconds(1), server.Token));

        int resyncs = books.Values.Sum(b => b.Snapshots) - snapshotsBefore;
        Assert.True(resyncs > 0, "no book was resynchronised with a snapshot after the stall");
        Assert.True(quoteGaps > 0, "no quote was conflated");
        // Every book keeps moving after the stall, and the deltas a resynchronised book gets after its new snapshot
        // apply to it with matching checksums (BookReplica checks each one).
        Assert.All(books, b => Assert.True(b.Value.Deltas > deltasBeforeStall[b.Key], $"{b.Key} at depth {b.Value.Depth}: no delta after the stall"));
        Assert.Contains(books, b => b.Value.Snapshots > snapshotsBeforeStall[b.Key] && b.Value.DeltasSinceSnapshot > 0);
        Assert.Equal(0, server.Host.Composition.Totals.SlowConsumerCloses);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, client.Socket.State);
    }
}
