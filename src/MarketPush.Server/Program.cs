namespace MarketPush.Server;

/// <summary>
/// Entry point, wiring only: parse the command line (a bad flag exits with code 2 and a message naming it on stderr),
/// start <see cref="MarketPushHost"/>, run until Ctrl-C/SIGTERM, shut down gracefully.
/// </summary>
internal static class Program
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitBadOptions = 2;

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    internal static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ServerOptions options;
        try
        {
            options = ServerOptions.Parse(args);
        }
        catch (OptionsException ex)
        {
            await stderr.WriteLineAsync($"marketpush: {ex.Message}").ConfigureAwait(false);
            await stderr.WriteLineAsync(ServerOptions.Usage).ConfigureAwait(false);
            return ExitBadOptions;
        }

        if (options.ShowHelp)
        {
            await stdout.WriteLineAsync(ServerOptions.Usage).ConfigureAwait(false);
            return ExitOk;
        }

        MarketPushHost host;
        try
        {
            host = await MarketPushHost.StartAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (MarketPush.Engine.Feeds.Configuration.FeedConfigurationException ex)
        {
            // A bad Feeds entry or --feed: refuse to start, naming the key (Feeds:1:Kind: …).
            await stderr.WriteLineAsync($"marketpush: {ex.Message}").ConfigureAwait(false);
            return ExitBadOptions;
        }
        catch (IOException ex)
        {
            // Typically the port is taken.
            await stderr.WriteLineAsync($"marketpush: cannot listen: {ex.Message}").ConfigureAwait(false);
            return ExitFailed;
        }

        await using (host.ConfigureAwait(false))
        {
            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return ExitOk;
    }
}
