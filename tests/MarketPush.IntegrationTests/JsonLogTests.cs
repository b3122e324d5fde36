using System.Globalization;
using System.Text.Json;

namespace MarketPush.IntegrationTests;

/// <summary>--log-format json: the server executable writes one JSON object per stdout line, with a UTC ISO-8601 timestamp.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task JsonFormat_WritesEveryStdoutLineAsOneJsonObject_FromStartupToShutdown()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using ServerProcess server = ServerProcess.Start("--port", "0", "--log-format", "json", "--symbols", "3", "--rate", "50");
        await server.WaitForLineAsync(static line => line.Contains("/readyz", StringComparison.Ordinal), timeout.Token);

        int exitCode = await server.StopAsync(timeout.Token);

        Assert.True(exitCode == 0, $"exit code {exitCode}; stderr: {server.Stderr}");
        string[] lines = server.StdoutLines;
        Assert.NotEmpty(lines);
        var messages = new List<(string Category, string Message)>();
        foreach (string line in lines)
        {
            JsonElement entry;
            try
            {
                entry = JsonDocument.Parse(line).RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new Xunit.Sdk.XunitException($"not one JSON object: {line} ({ex.Message})");
            }

            Assert.Equal(JsonValueKind.Object, entry.ValueKind);
            string timestamp = entry.GetProperty("Timestamp").GetString()!;
            Assert.EndsWith("Z", timestamp, StringComparison.Ordinal);
            DateTimeOffset at = DateTimeOffset.Parse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            Assert.Equal(TimeSpan.Zero, at.Offset);
            Assert.InRange(at, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("LogLevel").GetString()));
            messages.Add((entry.GetProperty("Category").GetString()!, entry.GetProperty("Message").GetString()!));
        }

        Assert.Contains(messages, m => m.Category == "MarketPush.Server" && m.Message.StartsWith("Listening on http://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Category == "MarketPush.Server" && m.Message.StartsWith("Endpoint GET ws://127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Category == "MarketPush.Feeds" && m.Message.StartsWith("Feed synthetic", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TextFormat_IsTheDefault_AndIsNotJson()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using ServerProcess server = ServerProcess.Start("--port", "0", "--symbols", "3", "--rate", "50");
        await server.WaitForLineAsync(static line => line.Contains("/readyz", StringComparison.Ordinal), timeout.Token);

        Assert.Equal(0, await server.StopAsync(timeout.Token));
        Assert.Contains(server.StdoutLines, static line => line.StartsWith("info: MarketPush.Server", StringComparison.Ordinal));
        Assert.DoesNotContain(server.StdoutLines, static line => line.StartsWith('{'));
    }
}
