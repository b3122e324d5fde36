using System.Text.Json;
using System.Text.RegularExpressions;

namespace MarketPush.IntegrationTests;

/// <summary>The startup log names every listen address, every endpoint with its URL, and every feed with its size.</summary>
public sealed class StartupLogTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPush.sln")))
            {
                return dir.FullName;
            }
        }

        throw new Xunit.Sdk.XunitException("repository root not found");
    }

    private static async Task<List<JsonElement>> StartupEntriesAsync(params string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using ServerProcess server = ServerProcess.Start(["--port", "0", "--log-format", "json", .. arguments]);
        await server.WaitForLineAsync(static line => line.Contains("/readyz", StringComparison.Ordinal), timeout.Token);
        int exitCode = await server.StopAsync(timeout.Token);
        Assert.True(exitCode == 0, $"exit code {exitCode}; stderr: {server.Stderr}");
        return [.. server.StdoutLines.Select(static line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static string Message(JsonElement entry) => entry.GetProperty("Message").GetString()!;

    [Fact]
    public async Task Startup_NamesEachListenUrl_EveryEndpointWithItsUrl_AndEachFeedWithItsSymbolCount()
    {
        string capture = Path.Combine(RepoRoot(), "feeds", "sample-3min.csv.lz4");
        List<JsonElement> entries = await StartupEntriesAsync(
            "--feed", "synthetic", "--feed", "replay:" + capture, "--symbols", "4", "--rate", "50", "--max-connections", "7");
        string[] messages = [.. entries.Select(Message)];

        string listening = Assert.Single(messages, static m => m.StartsWith("Listening on ", StringComparison.Ordinal));
        string baseUrl = listening["Listening on ".Length..];
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", baseUrl);
        string ws = "ws" + baseUrl[4..];

        Assert.Contains($"Endpoint GET {baseUrl}/: demo UI", messages);
        Assert.Contains(messages, m => m.StartsWith($"Endpoint GET {ws}/v1/stream: WebSocket stream", StringComparison.Ordinal) && m.Contains("max connections 7", StringComparison.Ordinal));
        Assert.Contains($"Endpoint GET {baseUrl}/metrics: Prometheus metrics", messages);
        Assert.Contains(messages, m => m.StartsWith($"Endpoint GET {baseUrl}/healthz: ", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith($"Endpoint GET {baseUrl}/readyz: ", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, static m => m.Contains("/debug/gc", StringComparison.Ordinal)); // not enabled
        Assert.DoesNotContain(messages, static m => m.Contains("/admin/", StringComparison.Ordinal));    // not enabled

        string synthetic = Assert.Single(messages, static m => m.StartsWith("Feed synthetic", StringComparison.Ordinal));
        Assert.Matches(new Regex("synthetic.*: 4 instruments"), synthetic);
        string replay = Assert.Single(messages, static m => m.StartsWith("Feed ", StringComparison.Ordinal) && m.Contains("(replay ", StringComparison.Ordinal));
        Assert.Matches(new Regex(@": [1-9]\d* instruments"), replay);
    }

    [Fact]
    public async Task Startup_ListsTheDiagnosticsAndAdminEndpoints_WhenEnabled()
    {
        List<JsonElement> entries = await StartupEntriesAsync(
            "--diagnostics", "--admin-token", "startup-log-test-token", "--symbols", "2", "--rate", "10");
        string[] messages = [.. entries.Select(Message)];

        Assert.Contains(messages, static m => m.StartsWith("Endpoint POST http://127.0.0.1:", StringComparison.Ordinal) && m.Contains("/debug/gc: ", StringComparison.Ordinal));
        Assert.Contains(messages, static m => m.StartsWith("Endpoint GET http://127.0.0.1:", StringComparison.Ordinal) && m.Contains("/admin/sessions: admin API", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, static m => m.Contains("{**", StringComparison.Ordinal)); // fallbacks are not listed
    }
}
