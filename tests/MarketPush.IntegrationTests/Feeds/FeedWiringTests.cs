using System.Net;
using System.Text.Json;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Feeds.Replay;
using MarketPush.Engine.Ingest;
using MarketPush.IntegrationTests.Pipeline;
using MarketPush.Server;

namespace MarketPush.IntegrationTests.Feeds;

/// <summary>The feed flags and settings of the real server: several feeds under their namespaces, /readyz, --record, and refusing a bad entry.</summary>
public sealed class FeedWiringTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "marketpush-feeds-" + Guid.NewGuid().ToString("N"));

    public FeedWiringTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string WriteConfig(string json)
    {
        string path = Path.Combine(_directory, "settings.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyzAsync(ServerScope server)
    {
        using var http = new HttpClient();
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{server.Host.Port}/readyz"), server.Token);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(server.Token));
        return (response.StatusCode, body.RootElement.Clone());
    }

    [Fact]
    public void FeedFlags_AreParsed_AndBadOnesRefusedNamingTheFlag()
    {
        ServerOptions options = ServerOptions.Parse([
            "--feed", "replay:feeds/sample-3min.csv.lz4", "--feed", "exchange:wss://venue.example/ws?products=BTC-USD",
            "--speed", "max", "--loop", "--replay-delay-ms", "250", "--record", "out.csv.lz4", "--stale-after-ms", "5000"]);

        Assert.Equal(["replay:feeds/sample-3min.csv.lz4", "exchange:wss://venue.example/ws?products=BTC-USD"], options.Feeds);
        Assert.Equal((ReplayFeedOptions.MaxSpeed, true, 250, "out.csv.lz4", 5000), (options.ReplaySpeed, options.ReplayLoop, options.ReplayStartDelayMs, options.RecordPath, options.StaleAfterMs));

        Assert.Equal("--speed", Assert.Throws<OptionsException>(() => ServerOptions.Parse(["--speed", "fast"])).Flag);
        Assert.Equal("--feed: unknown feed kind 'nasdaq' (synthetic, replay or exchange)", Assert.Throws<OptionsException>(() => ServerOptions.Parse(["--feed", "nasdaq:x"])).Message);
        Assert.Equal("--feed", Assert.Throws<OptionsException>(() => ServerOptions.Parse(["--feed", "none", "--feed", "synthetic"])).Flag);
        Assert.Equal("--config", Assert.Throws<OptionsException>(() => ServerOptions.Parse(["--config", "/nonexistent/settings.json"])).Flag);
    }

    [Theory]
    [InlineData("""{ "Feeds": [ { "Kind": "synthetic" }, { "Kind": "foo" } ] }""", "marketpush: Feeds:1:Kind: unknown feed kind 'foo' (synthetic, replay or exchange)")]
    [InlineData("""{ "Feeds": [ { "Kind": "replay", "Path": "/nonexistent/day.csv.lz4" } ] }""", "marketpush: Feeds:0:Path: no such capture file '/nonexistent/day.csv.lz4'")]
    [InlineData("""{ "Feeds": [ { "Kind": "synthetic", "Symbols": 2 }, { "Kind": "synthetic", "Symbols": 3, "Name": "b" } ] }""", "marketpush: Feeds:1:Prefix: symbol 'SYM0000' is also published by feed 'synthetic'; give one of the feeds its own Prefix")]
    public async Task BadFeedEntry_StopsTheServerBeforeItStarts_NamingTheKey(string json, string message)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int exit = await Program.RunAsync(["--port", "0", "--config", WriteConfig(json)], stdout, stderr, CancellationToken.None);

        Assert.Equal(Program.ExitBadOptions, exit);
        Assert.Equal(message, stderr.ToString().Trim());
    }

    [Fact]
    public async Task SeveralFeedsFromSettings_EachPublishUnderTheirOwnNamespace()
    {
        string config = WriteConfig($$"""
            {
              "Feeds": [
                { "Kind": "synthetic", "Symbols": 3, "Rate": 300 },
                { "Kind": "replay", "Name": "sample", "Prefix": "R:", "Path": {{JsonSerializer.Serialize(ReplaySampleTests.SamplePath())}}, "Speed": "10", "Loop": true }
              ]
            }
            """);
        await using ServerScope server = await ServerScope.StartAsync(options => options.ConfigPath = config);
        await using MarketClient client = await MarketClient.ConnectAsync(server);
        await client.ReceiveTypeAsync("welcome", server.Token);

        await client.SendAsync("""{"op":"symbols","id":1,"prefix":"R:"}""", server.Token);
        Received symbols = await client.ReceiveTypeAsync("symbols", server.Token);
        Assert.Equal(30, symbols.Message.GetProperty("symbols").GetArrayLength());
        Assert.Equal(["synthetic", "sample"], server.Host.Feeds!.Supervisor.Feeds.Select(static f => f.Name));

        await client.SendAsync("""{"op":"subscribe","id":2,"symbols":["R:BTC-USD","SYM0002"],"channels":["quote"]}""", server.Token);
        var seen = new HashSet<string>();
        while (seen.Count < 2)
        {
            Received quote = await client.ReceiveTypeAsync("quote", server.Token);
            seen.Add(quote.Symbol!);
        }
    }

    [Fact]
    public async Task Readyz_AnswersReadyWhileEveryFeedDelivers_And503NamingTheFeedThatStopped()
    {
        string capture = Path.Combine(_directory, "short.csv");
        using (CsvCaptureWriter writer = CsvCaptureWriter.Create(capture))
        {
            writer.Write(new MarketPush.Protocol.Messages.Instrument(0, "ONCE", 2, 1, ""), Tick.ForQuote(0, 1, new MarketPush.Protocol.Messages.Quote(100, 1, 101, 1)));
        }

        await using (ServerScope live = await ServerScope.StartAsync(options => { options.Symbols = 3; options.Rate = 300; }))
        {
            (HttpStatusCode status, JsonElement body) = await ReadyzAsync(live);
            while (status != HttpStatusCode.OK)
            {
                await Task.Delay(20, live.Token); // live once the first update went through
                (status, body) = await ReadyzAsync(live);
            }

            Assert.True(body.GetProperty("live").GetBoolean());
            Assert.Equal("running", body.GetProperty("feeds")[0].GetProperty("state").GetString());
        }

        string config = WriteConfig($$"""{ "Feeds": [ { "Kind": "synthetic", "Symbols": 3, "Rate": 300 }, { "Kind": "replay", "Prefix": "R:", "Path": {{JsonSerializer.Serialize(capture)}}, "Speed": "max" } ] }""");
        await using ServerScope ended = await ServerScope.StartAsync(options => options.ConfigPath = config);
        await Eventually.WaitUntilAsync(
            () => ended.Host.Feeds!.Supervisor.Feeds[1].State == SupervisedFeedState.Completed, TimeSpan.FromSeconds(10), "the replay feed completed", ended.Token);

        (HttpStatusCode endedStatus, JsonElement endedBody) = await ReadyzAsync(ended);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, endedStatus);
        JsonElement replay = endedBody.GetProperty("feeds").EnumerateArray().Single(static f => f.GetProperty("kind").GetString() == "replay");
        Assert.Equal(("completed", false), (replay.GetProperty("state").GetString(), replay.GetProperty("live").GetBoolean()));
    }

    [Fact]
    public async Task Record_WritesWhatTheFeedProduced_InTheOrderSubscribersSawIt()
    {
        string recording = Path.Combine(_directory, "session.csv.lz4");
        var live = new List<string>();
        await using (ServerScope server = await ServerScope.StartAsync(options =>
        {
            options.Symbols = 3;
            options.Rate = 600;
            options.RecordPath = recording;
        }))
        {
            await using MarketClient client = await MarketClient.ConnectAsync(server);
            await client.ReceiveTypeAsync("welcome", server.Token);
            await client.SendAsync("""{"op":"subscribe","symbols":["SYM0001"],"channels":["quote"],"snapshot":false}""", server.Token);
            await client.ReceiveTypeAsync("subscribed", server.Token);
            while (live.Count < 50)
            {
                JsonElement quote = (await client.ReceiveTypeAsync("quote", server.Token)).Message;
                live.Add($"{quote.GetProperty("ts").GetInt64()} {quote.GetProperty("bid").GetDecimal()} {quote.GetProperty("ask").GetDecimal()}");
            }
        }

        // The server stopped: the recording is complete and holds the same quotes, in the same order, with the same ts.
        using CsvCaptureReader reader = CsvCaptureReader.Open(recording);
        var recorded = new List<string>();
        var batch = new Tick[4096];
        int n;
        while ((n = reader.Read(batch)) > 0)
        {
            foreach (Tick tick in batch.AsSpan(0, n))
            {
                if (tick.Kind == TickKind.Quote && reader.Symbols[tick.InstrumentId].Symbol == "SYM0001")
                {
                    recorded.Add($"{tick.Timestamp} {tick.Quote.BidPrice / 100m} {tick.Quote.AskPrice / 100m}");
                }
            }
        }

        int start = recorded.IndexOf(live[0]);
        Assert.True(start >= 0, "the first quote the subscriber saw is not in the recording");
        Assert.Equal(live, recorded.Skip(start).Take(live.Count));
        Assert.Equal(["SYM0000", "SYM0001", "SYM0002"], reader.Symbols.Select(static s => s.Symbol));
    }
}
