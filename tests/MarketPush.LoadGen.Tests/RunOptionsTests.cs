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

    [Theory]
    [InlineData("--connections", "100001", "1..100000")]
    [InlineData("--connections", "-1", "1..100000")]
    [InlineData("--threads", "65", "1..64")]
    [InlineData("--threads", "0", "1..64")]
    [InlineData("--connect-concurrency", "0", "1..100000")]
    [InlineData("--slow-share", "1.5", "0..1")]
    [InlineData("--hold-ms", "3600001", "0..3600000")]
    [InlineData("--ping-ms", "-5", "0..3600000")]
    [InlineData("--duration", "0.1", "0.5..3600")]
    [InlineData("--warmup", "4000", "0..3600")]
    [InlineData("--server-symbols", "0", "1..1000000")]
    [InlineData("--symbols-per-conn", "100001", "0..100000")]
    [InlineData("--server-pid", "0", "1..2147483647")]
    public void Parse_RefusesAnOutOfRangeValue_NamingTheFlagAndTheRange(string flag, string value, string range)
    {
        var error = Assert.Throws<LoadGenOptionsException>(() => RunOptions.Parse(["--port", "8080", flag, value]));

        Assert.Equal(flag, error.Flag);
        Assert.StartsWith(flag + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(range, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesAnOutOfRangeValueSetDirectly_WithTheSameRangeAsParsing()
    {
        var error = Assert.Throws<LoadGenOptionsException>(new RunOptions { Threads = 100 }.Validate);

        Assert.Equal("--threads", error.Flag);
        Assert.Contains("1..64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_ComesFromTheFlagTable_WithRangesAndDefaults()
    {
        Assert.Contains("--connections N", RunOptions.Usage, StringComparison.Ordinal);
        Assert.Contains("[1..100000; default: 100]", RunOptions.Usage, StringComparison.Ordinal);
        Assert.Contains("--scenario S", RunOptions.Usage, StringComparison.Ordinal);
        Assert.Contains("fanout|wide|idle|churn|slow|compression|replay; default: fanout]", RunOptions.Usage, StringComparison.Ordinal);
        Assert.Contains("--in DIR", SummarizeOptions.Usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Summarize_NeedsAnExistingInputDirectory_AndAnOutputFile()
    {
        Assert.Equal("--in", Assert.Throws<LoadGenOptionsException>(() => SummarizeOptions.Parse(["summarize", "--in", "/nonexistent/dir", "--out", "x.md"])).Flag);
        Assert.Equal("--out", Assert.Throws<LoadGenOptionsException>(() => SummarizeOptions.Parse(["summarize", "--in", "."])).Flag);
        Assert.Equal("--bogus", Assert.Throws<LoadGenOptionsException>(() => SummarizeOptions.Parse(["summarize", "--bogus"])).Flag);
        SummarizeOptions options = SummarizeOptions.Parse(["summarize", "--in", ".", "--out", "x.md", "--reference=aspnetcore"]);
        Assert.Equal("aspnetcore", options.Reference);
        Assert.Equal("MarketPush side-by-side load results", options.Title);
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
