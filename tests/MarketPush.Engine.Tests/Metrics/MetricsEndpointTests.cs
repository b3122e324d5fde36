using System.Net;
using MarketPush.Engine.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Tests.Metrics;

// app.MapPrometheusMetrics("/metrics") on a real Kestrel on loopback, the way Prometheus will call it.
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Get_ReturnsTheScrape_WithTheTextFormatContentType_IncludingWhatHappenedBeforeTheFirstScrape()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMarketPushMetrics();
        await using WebApplication app = builder.Build();
        app.MapPrometheusMetrics("/metrics");
        await app.StartAsync(timeout.Token);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var metrics = app.Services.GetRequiredService<MarketPushMetrics>();
        metrics.ConnectionOpened();
        metrics.MessagesSent(Protocol.Handshake.WireEncoding.Json, compressed: false, bytes: 64);

        using var client = new HttpClient { BaseAddress = new Uri(address) };
        using HttpResponseMessage response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), timeout.Token);
        string body = await response.Content.ReadAsStringAsync(timeout.Token);
        using HttpResponseMessage post = await client.PostAsync(new Uri("/metrics", UriKind.Relative), null, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Contains("\nmarketpush_transport_open_connections 1\n", body, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_sent_bytes_total{encoding=\"json\",compressed=\"false\"} 64\n", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_cpu_seconds_total counter\n", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        await app.StopAsync(timeout.Token);
    }
}
