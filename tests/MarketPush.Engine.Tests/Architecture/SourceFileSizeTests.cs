namespace MarketPush.Engine.Tests.Architecture;

/// <summary>
/// No source file under src/ runs past 500 lines (STYLE.md, "Size and comments"): a longer one is split into types or
/// <c>Type.Concern.cs</c> partials. Exactly one file may be longer, a protocol state machine that reads top to bottom
/// and says so in its header.
/// </summary>
public sealed class SourceFileSizeTests
{
    private const int MaxLines = 500;

    // The one exception, relative to src/ with forward slashes.
    private const string AllowedLongFile = "MarketPush.Protocol/WebSockets/MessageReader.cs";

    [Fact]
    public void EverySourceFileUnderSrc_IsAtMost500Lines_ExceptTheOneNamedStateMachine()
    {
        string src = SourceRoot();
        var tooLong = new List<string>();
        int files = 0;
        foreach (string path in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(src, path).Replace('\\', '/');
            if (IsBuildOutput(relative))
            {
                continue;
            }

            files++;
            int lines = File.ReadLines(path).Count();
            if (lines > MaxLines && relative != AllowedLongFile)
            {
                tooLong.Add($"{relative}: {lines} lines");
            }
        }

        Assert.True(files > 100, $"only {files} source files found under {src}");
        Assert.True(tooLong.Count == 0, $"over {MaxLines} lines (split by concern):\n{string.Join('\n', tooLong)}");
    }

    [Fact]
    public void TheAllowedLongFile_Exists_AndItsHeaderSaysWhy()
    {
        string path = Path.Combine(SourceRoot(), AllowedLongFile);

        Assert.True(File.Exists(path), $"{AllowedLongFile} is gone: remove the exception from this test");
        Assert.Contains("SourceFileSizeTests", File.ReadAllText(path), StringComparison.Ordinal);
    }

    private static bool IsBuildOutput(string relative) =>
        relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal);

    private static string SourceRoot()
    {
        // Up from the test binaries to the repository (the directory holding MarketPush.sln), then src/.
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPush.sln")))
            {
                return Path.Combine(dir.FullName, "src");
            }
        }

        throw new Xunit.Sdk.XunitException($"MarketPush.sln not found above {AppContext.BaseDirectory}");
    }
}
