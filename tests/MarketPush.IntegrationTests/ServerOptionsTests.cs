using MarketPush.Server;
using Microsoft.Extensions.Logging;

namespace MarketPush.IntegrationTests;

public sealed class ServerOptionsTests
{
    [Fact]
    public void Parse_WithNoArguments_GivesTheDocumentedDefaults()
    {
        ServerOptions options = ServerOptions.Parse([]);

        Assert.Equal(8080, options.Port);
        Assert.Null(options.Urls);
        Assert.Equal(15_000, options.HeartbeatMs);
        Assert.Equal(256, options.CompressionThresholdBytes);
        Assert.Equal(16_384, options.MaxMessageBytes);
        Assert.Equal(5_000, options.ShutdownTimeoutMs);
        Assert.Equal(["http://127.0.0.1:8080"], options.GetListenUrls());
    }

    [Fact]
    public void Parse_ReadsEveryFlag_InBothSpellings()
    {
        ServerOptions options = ServerOptions.Parse(
        [
            "--port", "9000", "--heartbeat-ms=2500", "--compression-threshold", "0", "--max-message-bytes=65536",
            "--shutdown-timeout-ms", "100", "--log-level", "warning",
        ]);

        Assert.Equal(9000, options.Port);
        Assert.Equal(2500, options.HeartbeatMs);
        Assert.Equal(0, options.CompressionThresholdBytes);
        Assert.Equal(65536, options.MaxMessageBytes);
        Assert.Equal(100, options.ShutdownTimeoutMs);
        Assert.Equal(LogLevel.Warning, options.LogLevel);
    }

    [Fact]
    public void Urls_OverridePort()
    {
        ServerOptions options = ServerOptions.Parse(["--port", "9000", "--urls", "http://0.0.0.0:7000;http://[::1]:7001"]);

        Assert.Equal(["http://0.0.0.0:7000", "http://[::1]:7001"], options.GetListenUrls());
    }

    [Fact]
    public async Task Urls_AreWhereTheServerListens()
    {
        await using ServerScope server = await ServerScope.StartAsync(o => { o.Port = 1; o.Urls = "http://127.0.0.1:0"; });
        System.Net.WebSockets.ClientWebSocket client = await server.ConnectAsync();

        Assert.NotEqual(1, server.Host.Port);
        Assert.Equal("welcome", (await client.ReceiveWelcomeAsync(server.Token)).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("--bogus", "--bogus")]
    [InlineData("--port", "--port")]
    [InlineData("--port abc", "--port")]
    [InlineData("--port -1", "--port")]
    [InlineData("--port 70000", "--port")]
    [InlineData("--heartbeat-ms 0", "--heartbeat-ms")]
    [InlineData("--heartbeat-ms 1.5", "--heartbeat-ms")]
    [InlineData("--heartbeat-ms --port 1", "--heartbeat-ms")]
    [InlineData("--compression-threshold -5", "--compression-threshold")]
    [InlineData("--max-message-bytes 10", "--max-message-bytes")]
    [InlineData("--urls ftp://host", "--urls")]
    [InlineData("--urls=", "--urls")]
    [InlineData("--log-level loud", "--log-level")]
    [InlineData("port 80", "port")]
    public void Parse_RefusesBadInput_WithAMessageNamingTheFlag(string commandLine, string flag)
    {
        OptionsException error = Assert.Throws<OptionsException>(() => ServerOptions.Parse(commandLine.Split(' ')));

        Assert.Equal(flag, error.Flag);
        Assert.StartsWith(flag, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Program_ExitsWith2AndNamesTheFlag_OnABadOption()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exitCode = await Program.RunAsync(["--heartbeat-ms", "nope"], stdout, stderr, timeout.Token);

        Assert.Equal(2, exitCode);
        Assert.Contains("--heartbeat-ms", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(stdout.ToString());
    }

    [Fact]
    public async Task Program_PrintsUsage_ForHelp()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exitCode = await Program.RunAsync(["--help"], stdout, stderr, timeout.Token);

        Assert.Equal(0, exitCode);
        Assert.Contains("--heartbeat-ms", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Program_RunsUntilCancelled_AndStopsCleanly()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(2000));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exitCode = await Program.RunAsync(["--port", "0", "--log-level", "None"], stdout, stderr, stop.Token).WaitAsync(timeout.Token);

        Assert.Equal(0, exitCode);
    }
}
