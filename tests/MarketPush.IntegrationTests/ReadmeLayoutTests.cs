using System.Text.RegularExpressions;

namespace MarketPush.IntegrationTests;

/// <summary>
/// README's Layout block against the folders in the checkout: every folder under src/, tests/, loadtests/ (down to
/// three levels) and the top-level feeds/, dashboards/ and .ci/ must be named there, and every folder named there
/// must exist, so the map a newcomer reads first cannot drift from the tree. Build output, installed packages and
/// run results (bin, obj, node_modules, results, tmp, TestResults, BenchmarkDotNet.Artifacts, hidden folders) are
/// not part of the layout, nor is a folder holding nothing else (what a branch switch leaves behind).
/// </summary>
public sealed partial class ReadmeLayoutTests
{
    private const int MaxDepth = 3;
    private static readonly string[] s_roots = ["src", "tests", "loadtests", "feeds", "dashboards", ".ci"];
    private static readonly HashSet<string> s_ignored = new(StringComparer.Ordinal)
    {
        "bin", "obj", "node_modules", "results", "tmp", "TestResults", "BenchmarkDotNet.Artifacts",
    };

    [Fact]
    public void Layout_NamesEveryFolder()
    {
        string root = RepositoryRoot();
        HashSet<string> listed = ReadLayout(root);

        List<string> missing = [.. ExistingFolders(root).Where(folder => !listed.Contains(folder))];

        Assert.True(missing.Count == 0, "README.md's Layout block does not name: " + string.Join(", ", missing.Select(f => f + "/")));
    }

    [Fact]
    public void Layout_NamesOnlyFoldersThatExist()
    {
        string root = RepositoryRoot();

        List<string> stale = [.. ReadLayout(root).Where(folder => !Directory.Exists(Path.Combine(root, folder)))];

        Assert.True(stale.Count == 0, "README.md's Layout block names folders that do not exist: " + string.Join(", ", stale.Select(f => f + "/")));
    }

    [Fact]
    public void LayoutParser_ReadsNestingFromIndentation()
    {
        const string Readme = """
            # X
            ## Layout
            Text.
            ```
            src/
              A/                 first
                B/Deep/          two levels at once
                C/, D/           two on one line
              E.cs               a file
            tests/               tests
            ```
            ```
            other/
            ```
            """;

        HashSet<string> listed = ParseLayout(Readme);

        Assert.Equal(["src", "src/A", "src/A/B/Deep", "src/A/C", "src/A/D", "tests"], listed.Order(StringComparer.Ordinal));
    }

    /// <summary>The folders the layout must name, as forward-slash paths relative to the repository root.</summary>
    private static IEnumerable<string> ExistingFolders(string root)
    {
        foreach (string top in s_roots)
        {
            string path = Path.Combine(root, top);
            if (!Directory.Exists(path))
            {
                continue;
            }

            yield return top;
            foreach (string folder in Below(path, top, depth: 2))
            {
                yield return folder;
            }
        }
    }

    private static IEnumerable<string> Below(string path, string relative, int depth)
    {
        if (depth > MaxDepth)
        {
            yield break;
        }

        foreach (string child in Directory.GetDirectories(path).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(child);
            if (IsIgnored(name) || !HasContent(child))
            {
                continue;
            }

            string childRelative = relative + "/" + name;
            yield return childRelative;
            foreach (string deeper in Below(child, childRelative, depth + 1))
            {
                yield return deeper;
            }
        }
    }

    private static bool IsIgnored(string name) => s_ignored.Contains(name) || name.StartsWith('.');

    private static bool HasContent(string folder) =>
        Directory.EnumerateFiles(folder).Any()
        || Directory.EnumerateDirectories(folder).Any(child => !IsIgnored(Path.GetFileName(child)) && HasContent(child));

    private static HashSet<string> ReadLayout(string root)
    {
        HashSet<string> listed = ParseLayout(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.True(listed.Count > 0, "README.md has no Layout section with a folder tree in a code block");
        return listed;
    }

    /// <summary>
    /// The folders of the first code block after "## Layout": one entry per line, the name first and the description
    /// after two or more spaces; indentation nests an entry under the folder above it; "A/, B/" names two folders.
    /// </summary>
    private static HashSet<string> ParseLayout(string readme)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        string[] lines = readme.Split('\n');
        int heading = Array.FindIndex(lines, l => l.TrimEnd() == "## Layout");
        int open = heading < 0 ? -1 : Array.FindIndex(lines, heading, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
        if (open < 0)
        {
            return listed;
        }

        var parents = new Stack<(int Indent, string Path)>();
        for (int i = open + 1; i < lines.Length && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++)
        {
            string line = lines[i].TrimEnd('\r');
            string content = line.TrimStart(' ');
            if (content.Length == 0)
            {
                continue;
            }

            int indent = line.Length - content.Length;
            while (parents.Count > 0 && parents.Peek().Indent >= indent)
            {
                parents.Pop();
            }

            string parent = parents.Count > 0 ? parents.Peek().Path + "/" : string.Empty;
            string[] folders = [.. NameColumn().Split(content)[0].Split(", ").Where(t => t.EndsWith('/')).Select(t => parent + t.TrimEnd('/'))];
            foreach (string folder in folders)
            {
                listed.Add(folder);
            }

            if (folders.Length == 1)
            {
                parents.Push((indent, folders[0]));
            }
        }

        return listed;
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

        throw new Xunit.Sdk.XunitException($"MarketPush.sln not found above {AppContext.BaseDirectory}");
    }

    // The gap between an entry's name and its description.
    [GeneratedRegex(" {2,}")]
    private static partial Regex NameColumn();
}
