using System.Text.RegularExpressions;
using MarketPush.Server;

namespace MarketPush.IntegrationTests;

/// <summary>
/// README's flag table (section "Run it") and the server's <c>--help</c> list the same flags with the same defaults.
/// <c>--help</c> comes from the flag table in ServerOptions.Flags.cs; the README is written by hand, so this test is
/// what keeps it honest.
/// </summary>
public sealed partial class ReadmeFlagTableTests
{
    [Fact]
    public async Task ReadmeFlagTable_AndHelp_HaveTheSameFlags_WithTheSameDefaults()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await Program.RunAsync(["--help"], stdout, stderr, timeout.Token));

        Dictionary<string, string> help = HelpDefaults(stdout.ToString());
        Dictionary<string, string> readme = ReadmeDefaults(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));

        Assert.True(help.Count > 25, $"--help lists {help.Count} flags");
        Assert.Equal(help.Keys.Order(StringComparer.Ordinal), readme.Keys.Order(StringComparer.Ordinal));
        foreach ((string flag, string expected) in help)
        {
            Assert.True(expected == readme[flag], $"{flag}: --help says default '{expected}', README says '{readme[flag]}'");
        }
    }

    [Fact]
    public void HelpDefaults_ReadsEveryEntry_IncludingContinuationLines()
    {
        const string Help =
            """
            Usage: x
              --port N        listen [0..65535; default: 8080]
              --feed F        a feed:
                                more text [default: synthetic]
              --urls U        no default
              --help, -h, -?  print this text
            """;

        Dictionary<string, string> defaults = HelpDefaults(Help);

        Assert.Equal(new Dictionary<string, string> { ["--port"] = "8080", ["--feed"] = "synthetic", ["--urls"] = "", ["--help"] = "" }, defaults);
    }

    /// <summary>Flag → default text of every entry of <c>--help</c> ("" when it shows none).</summary>
    private static Dictionary<string, string> HelpDefaults(string help)
    {
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        foreach (string line in help.Split('\n'))
        {
            Match entry = HelpEntry().Match(line);
            if (entry.Success)
            {
                current = entry.Groups[1].Value;
                defaults.Add(current, "");
            }

            Match value = HelpDefault().Match(line);
            if (current is not null && value.Success)
            {
                defaults[current] = value.Groups[1].Value;
            }
        }

        return defaults;
    }

    /// <summary>Flag → default cell of the <c>| flag | default | meaning |</c> table under "## Run it".</summary>
    private static Dictionary<string, string> ReadmeDefaults(string readme)
    {
        string section = readme[readme.IndexOf("## Run it", StringComparison.Ordinal)..];
        string[] lines = section[section.IndexOf("| flag | default | meaning |", StringComparison.Ordinal)..].Split('\n');
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines.Skip(2).TakeWhile(l => l.StartsWith('|')))
        {
            // Cells split on '|' that is not escaped as '\|' (the table writes text\|json).
            string[] cells = UnescapedBar().Split(line.Trim().Trim('|'));
            Match flag = ReadmeFlag().Match(cells[0]);
            Assert.True(flag.Success, $"README flag cell '{cells[0]}' does not start with a `--flag`");
            Assert.True(defaults.TryAdd(flag.Groups[1].Value, cells[1].Trim().Trim('`')), $"README lists {flag.Groups[1].Value} twice");
        }

        return defaults;
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPush.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MarketPush.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^  (--[a-z0-9-]+)")]
    private static partial Regex HelpEntry();

    [GeneratedRegex(@"default: ([^\]]*)\]\s*$")]
    private static partial Regex HelpDefault();

    [GeneratedRegex(@"^\s*`(--[a-z0-9-]+)")]
    private static partial Regex ReadmeFlag();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedBar();
}
