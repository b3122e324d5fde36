using System.Text.Json;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>A client forced into conflation (small queue bound, a small socket buffer, a pause in reading) still holds exact books.</summary>
public sealed class ConflatedClientTests
{
    [Fact]
    public async Task ClientThatStopsReadingForAWhile_IsConflated_AndItsBooksAtEveryDepthStillMatchEveryChecksum()
    {
        // 60 s rather than 30: the stall and the read after it each wait for an event, with a deadline a loaded machine
        // needs (see below); an unloaded run takes about 4 s.
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync(
            options =>
            {
                options.QueueMaxFrames = 32;
                options.QueueMaxBytes = 32 * 1024;
                options.SlowConsumerMs = 60_000;
            },
            TimeSpan.FromSeconds(60));
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

        // This session's own counts from here on. The server-wide totals are no sign of the stall: they are usually
        // non-zero already, from the subscribe itself (40 snapshots offered to a 32-frame queue, so quotes conflate and
        // book deltas drop until the deferred snapshots go out) or from a burst of the feed catching up.
        MarketPush.Engine.Sessions.ConflatingDelivery delivery = session.Subscriptions!.Updates;
        MarketPush.Engine.Sessions.Subscription[] bookSubscriptions =
            [.. session.Subscriptions.ToArray().Where(s => s.Channel == MarketPush.Protocol.Messages.MarketChannel.Book)];
        Assert.Equal(books.Count, bookSubscriptions.Length);
        long conflatedBeforeStall = delivery.Conflated;
        long droppedBeforeStall = delivery.Dropped;

        // Books seen marked "next message is a snapshot" (a delta was dropped, or a subscribe snapshot did not fit) after
        // the stall began: each is owed a snapshot after snapshotsBeforeStall was taken, as none was queued when seen.
        var owedSnapshot = new SortedSet<string>(StringComparer.Ordinal);
        void NoteBooksOwedASnapshot()
        {
            foreach (MarketPush.Engine.Sessions.Subscription subscription in bookSubscriptions)
            {
                if (Volatile.Read(ref subscription.NeedsSnapshot))
                {
                    owedSnapshot.Add(subscription.Instrument.Symbol);
                }
            }
        }

        string Describe(IEnumerable<string> symbols) =>
            string.Join("; ", symbols.Select(symbol =>
                $"{symbol} at depth {books[symbol].Depth}: snapshots {snapshotsBeforeStall[symbol]} -> {books[symbol].Snapshots}, " +
                $"deltas {deltasBeforeStall[symbol]} -> {books[symbol].Deltas}, seq {books[symbol].LastSeq}")) +
            $" (session: conflated {conflatedBeforeStall} -> {delivery.Conflated}, dropped {droppedBeforeStall} -> {delivery.Dropped}, " +
            $"enqueued {delivery.Enqueued}, queue {session.Queue.Count} frames, {delivery.QueueWaitCount} waiting for space)";

        // Stop reading. The 32-frame queue fills only while the kernel buffers between server and client refuse bytes,
        // and the server's loopback send buffer is autotuned up to megabytes (net.ipv4.tcp_wmem): once it has grown it
        // takes the whole feed (about 1 MB/s) for seconds with nothing waiting for queue space, so a one-second stall
        // alone may drop no delta at all. Wait for the event itself: this session conflated a quote and dropped a book
        // delta since it stopped reading (a drop here is a book delta skipped for a resync: the synthetic feed sends no
        // status events and the session is open).
        await Eventually.WaitUntilAsync(
            () =>
            {
                NoteBooksOwedASnapshot();
                // The server-wide totals get the session's counts in batches, so they may lag the session's by a moment.
                return delivery.Conflated > conflatedBeforeStall && delivery.Dropped > droppedBeforeStall &&
                    server.Host.Composition.Totals.Conflated > 0 && server.Host.Composition.Totals.Dropped > 0;
            },
            TimeSpan.FromSeconds(20),
            "the server conflated a quote and dropped a book delta for the stalled client",
            server.Token);
        Assert.True(delivery.Conflated > conflatedBeforeStall, "the server never conflated for the stalled client");
        Assert.True(delivery.Dropped > droppedBeforeStall, "the server never dropped a book delta for the stalled client");
        Assert.True(server.Host.Composition.Totals.Conflated > 0, "the server's totals count no conflation");
        Assert.True(server.Host.Composition.Totals.Dropped > 0, "the server's totals count no dropped book delta");

        // Not a wait for an event: the stall itself goes on a second longer (the behaviour under test is a client that
        // stops reading for a while), so several books fall behind before the client reads again.
        await Task.Delay(1_000, server.Token);
        NoteBooksOwedASnapshot();

        // Read on until every book seen owing a snapshot got one, and at least one book did (a delta was dropped since
        // the stall began, so its resync snapshot follows), behind whatever the socket buffers still held: up to the
        // send buffer's megabytes, which a loaded machine reads slowly (20 s; an unloaded run needs well under one).
        bool Resynchronised() =>
            books.Values.Sum(b => b.Snapshots) > snapshotsBefore &&
            owedSnapshot.All(symbol => books[symbol].Snapshots > snapshotsBeforeStall[symbol]);

        DateTimeOffset readUntil = DateTimeOffset.UtcNow.AddSeconds(20);
        do
        {
            Check(await client.ReceiveUntilTimeAsync(DateTimeOffset.UtcNow.AddMilliseconds(500), server.Token));
        }
        while (!Resynchronised() && DateTimeOffset.UtcNow < readUntil);

        string[] stillOwed = [.. owedSnapshot.Where(symbol => books[symbol].Snapshots == snapshotsBeforeStall[symbol])];
        Assert.True(
            stillOwed.Length == 0,
            $"{stillOwed.Length} of the {owedSnapshot.Count} books the server marked for a resync during the stall got no snapshot within 20 s: {Describe(stillOwed)}");

        Check(await client.ReceiveUntilTimeAsync(DateTimeOffset.UtcNow.AddSeconds(1), server.Token));

        int resyncs = books.Values.Sum(b => b.Snapshots) - snapshotsBefore;
        Assert.True(resyncs > 0, $"no book was resynchronised with a snapshot after the stall: {Describe(books.Keys)}");
        Assert.True(quoteGaps > 0, "no quote was conflated");
        // Every book keeps moving after the stall, and the deltas a resynchronised book gets after its new snapshot
        // apply to it with matching checksums (BookReplica checks each one).
        Assert.All(books, b => Assert.True(b.Value.Deltas > deltasBeforeStall[b.Key], $"{b.Key} at depth {b.Value.Depth}: no delta after the stall"));
        Assert.Contains(books, b => b.Value.Snapshots > snapshotsBeforeStall[b.Key] && b.Value.DeltasSinceSnapshot > 0);
        Assert.Equal(0, server.Host.Composition.Totals.SlowConsumerCloses);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, client.Socket.State);
    }
}
