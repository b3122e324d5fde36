using MarketPush.LoadGen.Options;

namespace MarketPush.LoadGen.Tests;

public sealed class RunOptionsTests
{
    [Fact]
    public void Parse_ReadsAScenario_WithDefaultsForWhatIsNotGiven()
    {
        RunOptions options = RunOptions.Parse(["run", "--url", "ws://127.0.0.1:9000/v1/stream", "--scenario", "slow", "--connections=500"]);

        Assert.Equal(ScenarioKind.Slow, options.Scenario);
        Assert.Equal(500, options.Connections);
        Assert.Equal(9000, options.Url.Port);
        Assert.Equal(20, options.DurationSeconds);
        Assert.Equal(0.01, options.SlowShare);
        Assert.Equal("keep:500:20", options.EffectiveLoad.ToString());
    }

    [Theory]
    [InlineData("ws://10.0.0.5:8080/v1/stream")]
    [InlineData("ws://example.com:8080/v1/stream")]
    [InlineData("ws://[::1]:8080/v1/stream")]
    public void Parse_RefusesAnyHostButLoopback(string url)
    {
        var error = Assert.Throws<LoadGenOptionsException>(() => RunOptions.Parse(["--url", url]));

        Assert.Equal("--url", error.Flag);
        Assert.Contains("127.0.0.1 only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MapsLocalhostTo127001_AndNeedsAPort()
    {
        Assert.Equal("127.0.0.1", RunOptions.Parse(["--url", "ws://localhost:81/x"]).Url.Host);
        Assert.Equal("--url", Assert.Throws<LoadGenOptionsException>(() => RunOptions.Parse(["--url", "ws://127.0.0.1/v1/stream"])).Flag);
        Assert.Equal("--metrics-url", Assert.Throws<LoadGenOptionsException>(() => RunOptions.Parse(["--port", "80", "--metrics-url", "http://10.1.1.1:9/metrics"])).Flag);
    }

    [Theory]
    [InlineData(new[] { "--scenario", "storm" }, "--scenario")]
    [InlineData(new[] { "--connections", "0" }, "--connections")]
    [InlineData(new[] { "--duration", "7200" }, "--duration")]
    [InlineData(new[] { "--duration", "5", "--warmup", "5" }, "--warmup")]
    [InlineData(new[] { "--bogus" }, "--bogus")]
    [InlineData(new[] { "--connections" }, "--connections")]
    [InlineData(new[] { "--load", "ramp:10" }, "--load")]
    [InlineData(new[] { "--load", "keep:10:5", "--duration", "6" }, "--duration")]
    [InlineData(new[] { "--label", "a b" }, "--label")]
    [InlineData(new[] { "--symbols-list", "A,B\"C" }, "--symbols-list")]
    public void Parse_NamesTheBadFlag(string[] args, string flag)
    {
        var error = Assert.Throws<LoadGenOptionsException>(() => RunOptions.Parse(["--port", "8080", .. args]));

        Assert.Equal(flag, error.Flag);
    }

    [Fact]
    public void Parse_TakesDurationAndConnections_FromTheLoadSteps()
    {
        RunOptions options = RunOptions.Parse(["--port", "8080", "--load", "ramp:1000:5, keep:1000:15"]);

        Assert.Equal(20, options.DurationSeconds);
        Assert.Equal(1000, options.Connections);
        Assert.Equal(2, options.EffectiveLoad.Steps.Count);
    }

    [Theory]
    [InlineData(ScenarioKind.Fanout, null, 1)]
    [InlineData(ScenarioKind.Idle, null, 2)]
    [InlineData(ScenarioKind.Wide, 5, 1)]
    [InlineData(ScenarioKind.Replay, null, 40)]
    [InlineData(ScenarioKind.Fanout, 500, 40)]
    public void SymbolsPerConnection_FollowsTheScenario(ScenarioKind scenario, int? given, int expected)
    {
        var options = new RunOptions { Scenario = scenario, SymbolsPerConnection = given };

        Assert.Equal(expected, options.GetSymbolsPerConnection(universe: 40));
    }
}
