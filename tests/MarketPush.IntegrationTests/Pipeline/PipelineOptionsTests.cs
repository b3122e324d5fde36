using MarketPush.Server;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>The market-data flags of the command line, and a server started with them.</summary>
public sealed class PipelineOptionsTests
{
    [Fact]
    public void MarketDataFlags_AreParsed()
    {
        ServerOptions options = ServerOptions.Parse([
            "--feed", "synthetic", "--symbols", "20", "--rate=5000.5", "--seed", "-7", "--slow-consumer-ms", "2500",
            "--queue-max-frames", "64", "--queue-max-bytes", "65536", "--max-subscriptions", "12", "--max-bad-commands", "3",
            "--bad-command-window-ms", "1000", "--max-commands-per-second", "9"]);

        Assert.Equal("synthetic", options.Feed);
        Assert.Equal(20, options.Symbols);
        Assert.Equal(5000.5, options.Rate);
        Assert.Equal(-7, options.Seed);
        Assert.Equal(2500, options.SlowConsumerMs);
        Assert.Equal(64, options.QueueMaxFrames);
        Assert.Equal(65536, options.QueueMaxBytes);
        Assert.Equal(12, options.MaxSubscriptions);
        Assert.Equal(3, options.MaxBadCommands);
        Assert.Equal(1000, options.BadCommandWindowMs);
        Assert.Equal(9, options.MaxCommandsPerSecond);
    }

    [Fact]
    public void Defaults_AreTheBuiltInListAtALivelyButCheapRate()
    {
        ServerOptions options = ServerOptions.Parse([]);

        Assert.Equal("synthetic", options.Feed);
        Assert.Equal(0, options.Symbols);
        Assert.Equal(2_000, options.Rate);
        Assert.Equal(10_000, options.SlowConsumerMs);
        Assert.Equal(20, options.MaxBadCommands);
        Assert.Equal(10_000, options.BadCommandWindowMs);
    }

    [Theory]
    [InlineData("--feed", "nasdaq")]
    [InlineData("--symbols", "0")]
    [InlineData("--symbols", "100001")]
    [InlineData("--rate", "-1")]
    [InlineData("--rate", "fast")]
    [InlineData("--seed", "1.5")]
    [InlineData("--slow-consumer-ms", "0")]
    [InlineData("--queue-max-frames", "0")]
    [InlineData("--max-bad-commands", "0")]
    public void BadMarketDataFlag_IsRefused_NamingTheFlag(string flag, string value)
    {
        OptionsException error = Assert.Throws<OptionsException>(() => ServerOptions.Parse([flag, value]));

        Assert.Equal(flag, error.Flag);
    }

    [Fact]
    public async Task NoFeed_KnowsTheSymbols_ButSendsNoSnapshotsAndNoUpdates()
    {
        await using ServerScope server = await ServerScope.StartAsync(options =>
        {
            options.Feed = ServerOptions.FeedNone;
            options.Symbols = 5;
        });
        await using MarketClient client = await MarketClient.ConnectAsync(server);
        await client.ReceiveTypeAsync("welcome", server.Token);

        await client.SendAsync("""{"op":"subscribe","id":1,"symbols":["SYM0004","SYM0005"],"channels":["quote","book"]}""", server.Token);
        Received subscribed = await client.ReceiveTypeAsync("subscribed", server.Token);
        List<Received> after = await client.ReceiveUntilTimeAsync(DateTimeOffset.UtcNow.AddMilliseconds(500), server.Token);

        Assert.Equal(["SYM0004"], subscribed.Message.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("SYM0005", subscribed.Message.GetProperty("rejected")[0].GetProperty("symbol").GetString());
        Assert.Empty(after);
        Assert.Null(server.Host.Feeds); // no feed set, so no feed runs
        Assert.Empty(server.Host.Composition.Channels.Channels);
    }
}
