using System.Globalization;
using System.Net;
using System.Net.WebSockets;

namespace MarketPush.Baseline.AspNetCore;

/// <summary>
/// A plain ASP.NET Core WebSocket market-data server, the one a competent user would write without MarketPush:
/// <c>UseWebSockets</c>, <c>AcceptWebSocketAsync</c> with <c>DangerousEnableCompression</c> (negotiated only when the
/// client offers permessage-deflate), each quote encoded once, a bounded Channel per connection drained by a writer task
/// with one <c>SendAsync</c> per message. Same protocol subset as MarketPush: welcome, subscribe/subscribed, quotes with
/// seq and ts, ping/pong. Listens on 127.0.0.1 only.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        BaselineOptions options;
        try
        {
            options = BaselineOptions.Parse(args);
        }
        catch (MarketPush.CommandLine.CommandLineException ex)
        {
            await Console.Error.WriteLineAsync("baseline: " + ex.Message).ConfigureAwait(false);
            return 2;
        }

        if (options.ShowHelp)
        {
            await Console.Out.WriteLineAsync(BaselineOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port.ToString(CultureInfo.InvariantCulture)}");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        WebApplication app = builder.Build();

        var registry = new SubscriptionRegistry(options.Symbols);
        using var feed = new QuoteFeed(options, registry);
        app.UseWebSockets();
        app.MapGet("/healthz", () => "ok");
        app.Map("/v1/stream", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = (int)HttpStatusCode.BadRequest;
                return;
            }

            bool compression = context.Request.Headers.SecWebSocketExtensions.Any(v => v?.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase) == true);
            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                DangerousEnableCompression = true,
            }).ConfigureAwait(false);
            var session = new Session(socket, registry, options, compression);
            await session.RunAsync(context.RequestAborted).ConfigureAwait(false);
        });

        await app.StartAsync().ConfigureAwait(false);
        feed.Start();
        Console.Out.WriteLine($"aspnetcore baseline on ws://127.0.0.1:{options.Port}/v1/stream: {options.Symbols} symbols, {options.Rate} quotes/s");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }
}
