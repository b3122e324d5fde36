using System.Text.Json;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Transport;

namespace MarketPush.Server.Health;

/// <summary>
/// <c>GET /readyz</c>: whether a load balancer should send this node new clients. Ready (200) only when the feeds
/// are live, the server is not shutting down, and it is below its connection limit; otherwise 503. Either way the
/// JSON body names the conditions that failed (<c>failed</c>: <c>feeds</c>, <c>shutting_down</c>,
/// <c>connection_limit</c>) beside the feed health and the connection count, so an operator sees why at once.
/// <c>/healthz</c> stays "the process is alive": a node that is not ready must not be restarted for it.
/// Runs on a request thread per probe; reads the transport and feed state, owns nothing.
/// </summary>
/// <remarks>
/// Feeds: <see cref="FeedSet.IsLive"/>, i.e. every configured feed running and delivering (so at least one), as
/// before this probe also checked the transport. With <c>--feed none</c> there is no feed to wait for, and that
/// condition holds. The body keeps the feed set's own fields (<c>live</c>, <c>feeds</c>, <c>recording</c>) at the
/// top level.
/// </remarks>
internal static class ReadinessProbe
{
    public const string Path = "/readyz";

    public const string FeedsCondition = "feeds";
    public const string ShuttingDownCondition = "shutting_down";
    public const string ConnectionLimitCondition = "connection_limit";

    public static async Task WriteAsync(HttpContext context, StreamServer stream, FeedSet? feeds)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(stream);
        // Sampled once, so the status and the body cannot disagree.
        bool feedsLive = feeds is null || feeds.IsLive;
        bool shuttingDown = stream.IsShuttingDown;
        int open = stream.OpenConnections;
        int limit = stream.Options.MaxConnections;
        bool atLimit = limit > 0 && open >= limit;
        bool ready = feedsLive && !shuttingDown && !atLimit;

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("ready", ready);
            json.WriteStartArray("failed");
            if (!feedsLive)
            {
                json.WriteStringValue(FeedsCondition);
            }

            if (shuttingDown)
            {
                json.WriteStringValue(ShuttingDownCondition);
            }

            if (atLimit)
            {
                json.WriteStringValue(ConnectionLimitCondition);
            }

            json.WriteEndArray();
            json.WriteBoolean("shuttingDown", shuttingDown);
            json.WriteStartObject("connections");
            json.WriteNumber("open", open);
            json.WriteNumber("limit", limit);
            json.WriteEndObject();
            if (feeds is null)
            {
                json.WriteBoolean("live", true);
                json.WriteStartArray("feeds");
                json.WriteEndArray();
            }
            else
            {
                using JsonDocument health = JsonDocument.Parse(feeds.GetHealthJson());
                foreach (JsonProperty property in health.RootElement.EnumerateObject())
                {
                    property.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }
}
