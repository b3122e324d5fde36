using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MarketPush.PeerTests;

// A tiny Kestrel app on 127.0.0.1 (ephemeral port) that serves peers/browser_peer.html and receives the page's
// results: each POST /events body is one JSON event, appended to the transcript in arrival order (the page sends
// them one at a time). Kestrel request threads write the transcript; the test thread reads it. Serving the page over
// http://127.0.0.1 (not a data: or file: URL) gives it a secure context for crypto.subtle and a real origin.
internal sealed class BrowserPeerPage : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BrowserPeerPage(WebApplication app, PeerTranscript transcript, Uri baseUri)
    {
        _app = app;
        Transcript = transcript;
        BaseUri = baseUri;
    }

    public PeerTranscript Transcript { get; }

    public Uri BaseUri { get; }

    public static async Task<BrowserPeerPage> StartAsync(PeerTranscript transcript, CancellationToken cancellationToken)
    {
        var html = await File.ReadAllTextAsync(PeerEnvironment.PeerScript("browser_peer.html"), cancellationToken);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(async context =>
        {
            var request = context.Request;
            if (HttpMethods.IsGet(request.Method) && request.Path == "/")
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                context.Response.Headers.CacheControl = "no-store";
                await context.Response.WriteAsync(html, context.RequestAborted);
            }
            else if (HttpMethods.IsPost(request.Method) && request.Path == "/events")
            {
                using var reader = new StreamReader(request.Body, Encoding.UTF8);
                transcript.AddLine(await reader.ReadToEndAsync(context.RequestAborted));
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new BrowserPeerPage(app, transcript, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
