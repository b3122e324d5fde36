using MarketPush.Baseline.AspNetCore;
using MarketPush.CommandLine;

namespace MarketPush.LoadGen.Tests;

/// <summary>The ASP.NET Core baseline's flags: the documented defaults, and a bad value refused with the flag and its range (it used to be clamped).</summary>
public sealed class BaselineOptionsTests
{
    [Fact]
    public void Parse_WithNoArguments_GivesTheDefaults()
    {
        BaselineOptions options = BaselineOptions.Parse([]);

        Assert.Equal(8080, options.Port);
        Assert.Equal(100, options.Symbols);
        Assert.Equal(1_000, options.Rate);
        Assert.Equal(1, options.Seed);
        Assert.Equal(256, options.CompressionThreshold);
        Assert.Equal(1024, options.QueueCapacity);
        Assert.False(options.ShowHelp);
    }

    [Fact]
    public void Parse_ReadsEveryFlag_InBothSpellings()
    {
        BaselineOptions options = BaselineOptions.Parse(
            ["--port", "9001", "--symbols=20", "--rate", "5000.5", "--seed", "-3", "--compression-threshold=0", "--queue", "64"]);

        Assert.Equal(9001, options.Port);
        Assert.Equal(20, options.Symbols);
        Assert.Equal(5000.5, options.Rate);
        Assert.Equal(-3, options.Seed);
        Assert.Equal(0, options.CompressionThreshold);
        Assert.Equal(64, options.QueueCapacity);
    }

    [Theory]
    [InlineData("--symbols", "0", "1..100000")]
    [InlineData("--symbols", "-5", "1..100000")]
    [InlineData("--symbols", "100001", "1..100000")]
    [InlineData("--queue", "0", "1..1000000")]
    [InlineData("--queue", "-1", "1..1000000")]
    [InlineData("--port", "70000", "0..65535")]
    [InlineData("--rate", "-1", "0..10000000")]
    [InlineData("--rate", "fast", "0..10000000")]
    [InlineData("--compression-threshold", "-1", "0..2147483647")]
    public void Parse_RefusesAnOutOfRangeValue_NamingTheFlagAndTheRange_InsteadOfClamping(string flag, string value, string range)
    {
        CommandLineException error = Assert.Throws<CommandLineException>(() => BaselineOptions.Parse([flag, value]));

        Assert.Equal(flag, error.Flag);
        Assert.StartsWith(flag + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(range, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--queue")]
    [InlineData("--seed", "1.5")]
    public void Parse_RefusesUnknownFlagsAndMissingOrMalformedValues(params string[] args)
    {
        Assert.Equal(args[0], Assert.Throws<CommandLineException>(() => BaselineOptions.Parse(args)).Flag);
    }

    [Fact]
    public async Task Main_ExitsWith2_OnAnOutOfRangeValue_WithoutStarting()
    {
        Assert.Equal(2, await Baseline.AspNetCore.Program.Main(["--symbols", "0"]).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Usage_ListsEveryFlag_WithItsRangeAndDefault()
    {
        string usage = BaselineOptions.Usage;

        Assert.Contains("--symbols N", usage, StringComparison.Ordinal);
        Assert.Contains("[1..100000; default: 100]", usage, StringComparison.Ordinal);
        Assert.Contains("--queue N", usage, StringComparison.Ordinal);
        Assert.Contains("[1..1000000; default: 1024]", usage, StringComparison.Ordinal);
    }
}
