using MarketPush.Engine.Transport;
using MarketPush.Server;
using MarketPush.Server.Logging;
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
        Assert.Equal(0, options.MaxConnections);
        Assert.Equal(LogFormat.Text, options.LogFormat);
    }

    [Fact]
    public void Parse_ReadsTheOperationsFlags()
    {
        ServerOptions options = ServerOptions.Parse(["--max-connections", "5000", "--log-format=JSON"]);

        Assert.Equal(5000, options.MaxConnections);
        Assert.Equal(LogFormat.Json, options.LogFormat);
        Assert.Equal(LogFormat.Text, ServerOptions.Parse(["--log-format", "text"]).LogFormat);
        Assert.Equal(0, ServerOptions.Parse(["--max-connections", "0"]).MaxConnections);
    }

    [Fact]
    public void Validate_RefusesANegativeConnectionLimitSetDirectly()
    {
        var options = new ServerOptions { MaxConnections = -1 };

        Assert.Equal("--max-connections", Assert.Throws<OptionsException>(options.Validate).Flag);
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
    [InlineData("--log-format xml", "--log-format")]
    [InlineData("--log-format", "--log-format")]
    [InlineData("--log-format=", "--log-format")]
    [InlineData("--max-connections -1", "--max-connections")]
    [InlineData("--max-connections lots", "--max-connections")]
    [InlineData("--max-connections 2.5", "--max-connections")]
    [InlineData("--max-connections 99999999999", "--max-connections")]
    [InlineData("port 80", "port")]
    [InlineData("--admin-token", "--admin-token")]
    [InlineData("--admin-token 0123456789abcde", "--admin-token")]
    public void Parse_RefusesBadInput_WithAMessageNamingTheFlag(string commandLine, string flag)
    {
        OptionsException error = Assert.Throws<OptionsException>(() => ServerOptions.Parse(commandLine.Split(' ')));

        Assert.Equal(flag, error.Flag);
        Assert.StartsWith(flag, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port 70000", "0..65535")]
    [InlineData("--port -1", "0..65535")]
    [InlineData("--heartbeat-ms 5", "10..536870911")]
    [InlineData("--max-message-bytes 10", "125..67108864")]
    [InlineData("--queue-max-bytes 100", "1024..2147483647")]
    [InlineData("--symbols 100001", "1..100000")]
    [InlineData("--rate 20000000", "0..10000000")]
    [InlineData("--max-connections 99999999999", "0..10000000")]
    [InlineData("--socket-writes file", "socket, pipe")]
    [InlineData("--log-format xml", "text, json")]
    public void Parse_RefusesAnOutOfRangeValue_WithTheAllowedRange(string commandLine, string range)
    {
        OptionsException error = Assert.Throws<OptionsException>(() => ServerOptions.Parse(commandLine.Split(' ')));

        Assert.StartsWith(commandLine.Split(' ')[0] + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains(range, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ChecksValuesSetDirectly_AgainstTheSameRangesAsParsing()
    {
        OptionsException error = Assert.Throws<OptionsException>(new ServerOptions { HeartbeatMs = 5 }.Validate);

        Assert.Equal("--heartbeat-ms", error.Flag);
        Assert.Contains("10..536870911", error.Message, StringComparison.Ordinal);
        // --symbols' default 0 (the built-in list) is outside 1..100000 but valid: it means "not given".
        new ServerOptions { Symbols = 0 }.Validate();
        Assert.Equal("--symbols", Assert.Throws<OptionsException>(new ServerOptions { Symbols = -1 }.Validate).Flag);
    }

    [Fact]
    public void SocketWrites_DefaultsToSocket_AndTakesPipe()
    {
        Assert.Equal(SocketWriteMode.Socket, ServerOptions.Parse([]).SocketWriteMode);
        Assert.Equal(SocketWriteMode.Pipe, ServerOptions.Parse(["--socket-writes", "pipe"]).SocketWriteMode);
        Assert.Equal(SocketWriteMode.Socket, ServerOptions.Parse(["--socket-writes=socket"]).SocketWriteMode);
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

    [Theory]
    [InlineData("--max-connections", "-3")]
    [InlineData("--log-format", "yaml")]
    public async Task Program_ExitsWith2AndNamesTheNewFlags_OnABadValue(string flag, string value)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exitCode = await Program.RunAsync([flag, value], stdout, stderr, timeout.Token);

        Assert.Equal(2, exitCode);
        Assert.StartsWith($"marketpush: {flag}: ", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(stdout.ToString());
    }

    [Fact]
    public void AdminToken_ComesFromTheFlag_ThenTheEnvironment_ElseTheApiIsOff()
    {
        const string flagToken = "flag-token-0123456789";
        const string envToken = "env-token-0123456789";
        Func<string, string?> environment = name => name == ServerOptions.AdminTokenEnvironmentVariable ? envToken : null;

        Assert.Equal(flagToken, ServerOptions.Parse(["--admin-token", flagToken], _ => null).AdminToken);
        Assert.Equal(flagToken, ServerOptions.Parse(["--admin-token=" + flagToken], environment).AdminToken);
        Assert.Equal(envToken, ServerOptions.Parse([], environment).AdminToken);
        Assert.Null(ServerOptions.Parse([], _ => null).AdminToken);
        Assert.Null(ServerOptions.Parse([], _ => string.Empty).AdminToken);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has a space inside it")]
    public void AdminToken_FromTheEnvironment_IsCheckedToo_AndTheErrorNamesTheVariable(string token)
    {
        OptionsException error = Assert.Throws<OptionsException>(() => ServerOptions.Parse([], _ => token));

        Assert.Equal(ServerOptions.AdminTokenEnvironmentVariable, error.Flag);
        Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Program_ExitsWith2_OnAShortAdminToken_WithoutPrintingIt()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        int exitCode = await Program.RunAsync(["--admin-token", "tooshort123"], stdout, stderr, timeout.Token);

        Assert.Equal(2, exitCode);
        Assert.Contains("--admin-token: must be at least 16 characters", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tooshort123", stderr.ToString(), StringComparison.Ordinal);
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
        Assert.Contains("--max-connections", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("--log-format", stdout.ToString(), StringComparison.Ordinal);
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
