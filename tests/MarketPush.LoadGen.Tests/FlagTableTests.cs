using MarketPush.CommandLine;

namespace MarketPush.LoadGen.Tests;

/// <summary>
/// The shared flag table (src/MarketPush.CommandLine) on its own: one definition gives the default, the parse, the
/// check of a value set directly, and the help line. The server, the runner and the baseline all parse with it.
/// </summary>
public sealed class FlagTableTests
{
    private sealed class Settings
    {
        public int Count { get; set; }

        public bool Verbose { get; set; }

        public List<string> Tags { get; } = [];
    }

    private static readonly FlagTable<Settings> s_table = new FlagTable<Settings>()
        .Section("Things:")
        .Int("--count", "N", "how many", s => s.Count, (s, v) => s.Count = v, 5, 1, 10)
        .Switch("--verbose", "say more", (s, v) => s.Verbose = v)
        .Custom("--tag", "T", "a tag; give several\nfor several", (s, v) => s.Tags.Add(v!), s => s.Tags.Clear(), s => s.Tags.Contains("") ? "a tag is not empty" : null);

    private static Settings Parse(params string[] args)
    {
        var settings = new Settings();
        s_table.SetDefaults(settings);
        s_table.Parse(args, settings);
        s_table.Validate(settings);
        return settings;
    }

    [Fact]
    public void OneDefinition_GivesTheDefault_TheParse_AndTheHelpLine()
    {
        Assert.Equal(5, Parse().Count);
        Assert.Equal(7, Parse("--count", "7").Count);
        Assert.Equal(7, Parse("--count=7").Count);
        Assert.Equal(["a", "b"], Parse("--tag", "a", "--tag=b").Tags);
        Assert.True(Parse("--verbose").Verbose);

        string help = s_table.Help("Usage: x");
        Assert.Contains("Things:\n", help, StringComparison.Ordinal);
        Assert.Contains("--count N", help, StringComparison.Ordinal);
        Assert.Contains("how many [1..10; default: 5]\n", help, StringComparison.Ordinal);
        Assert.Contains("say more [default: off]\n", help, StringComparison.Ordinal);
        Assert.Contains("for several\n", help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--count: 11 is out of range (1..10)", "--count", "11")]
    [InlineData("--count: 0 is out of range (1..10)", "--count", "0")]
    [InlineData("--count: -3 is out of range (1..10)", "--count", "-3")]
    [InlineData("--count: 'x' is not a whole number (1..10)", "--count", "x")]
    [InlineData("--count: needs a value (N)", "--count")]
    [InlineData("--count: needs a value (N)", "--count", "--verbose")]
    [InlineData("--verbose: takes no value", "--verbose=yes")]
    [InlineData("--other: unknown option (see --help)", "--other")]
    [InlineData("word: unknown option (see --help)", "word")]
    [InlineData("--tag: a tag is not empty", "--tag=")]
    public void ABadCommandLine_IsRefused_NamingTheFlag(string message, params string[] args)
    {
        Assert.Equal(message, Assert.Throws<CommandLineException>(() => Parse(args)).Message);
    }

    [Fact]
    public void Validate_HoldsAValueSetDirectly_ToTheSameRange()
    {
        var settings = new Settings { Count = 50 };

        Assert.Equal("--count: 50 is out of range (1..10)", Assert.Throws<CommandLineException>(() => s_table.Validate(settings)).Message);
    }

    [Fact]
    public void Help_IsAskedFor_WithAnyOfItsSpellings()
    {
        foreach (string spelling in new[] { "--help", "-h", "-?" })
        {
            Assert.True(s_table.Parse([spelling], new Settings()).HelpRequested);
        }

        Assert.False(s_table.Parse([], new Settings()).HelpRequested);
    }

    [Fact]
    public void AFlagDefinedTwice_IsAProgrammingError()
    {
        Assert.Throws<ArgumentException>(() => new FlagTable<Settings>()
            .Switch("--verbose", "a", (s, v) => s.Verbose = v)
            .Switch("--verbose", "b", (s, v) => s.Verbose = v));
    }
}
