using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MarketPush.Engine.Metrics;

/// <summary>
/// Maps the Prometheus scrape endpoint: <c>app.MapPrometheusMetrics("/metrics")</c>. Runs on a Kestrel request
/// thread per scrape; the body is written straight into the response pipe (no intermediate string or array).
/// </summary>
public static class PrometheusEndpointExtensions
{
    /// <summary>
    /// GET <paramref name="pattern"/> answers with one scrape of the <see cref="MetricsCollector"/> registered by
    /// <see cref="MetricsServiceCollectionExtensions.AddMarketPushMetrics"/>. The collector is resolved here, at
    /// startup, so it listens before the first connection rather than from the first scrape.
    /// </summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPrometheusMetrics(pattern, endpoints.ServiceProvider.GetRequiredService<MetricsCollector>());
    }

    /// <summary>GET <paramref name="pattern"/> answers with one scrape of <paramref name="collector"/>.</summary>
    public static IEndpointConventionBuilder MapPrometheusMetrics(this IEndpointRouteBuilder endpoints, string pattern, MetricsCollector collector)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentNullException.ThrowIfNull(collector);
        return endpoints.MapGet(pattern, new RequestDelegate(context => WriteScrapeAsync(context, collector)));
    }

    private static async Task WriteScrapeAsync(HttpContext context, MetricsCollector collector)
    {
        HttpResponse response = context.Response;
        response.ContentType = PrometheusTextWriter.ContentType;
        // A cached scrape would show a stale counter as a flat line.
        response.Headers.CacheControl = "no-store";
        collector.WriteTo(response.BodyWriter);
        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
