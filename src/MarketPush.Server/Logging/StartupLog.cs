using Microsoft.AspNetCore.Routing.Patterns;

namespace MarketPush.Server.Logging;

/// <summary>
/// The startup lines that tell an operator where everything is: one per listen address, then one per HTTP endpoint
/// with its full URL and what it is for. The endpoint list is read from the routing table after the host started,
/// so whatever is mapped (the demo UI, the stream, /metrics, /healthz, /readyz, and /debug/gc or the admin API only
/// when enabled) is listed, and nothing that is not. Feeds are logged where they start (FeedSet: one line per feed
/// with its kind and instrument count; MarketDataSetup: the catalog), not repeated here. Called once, at startup.
/// </summary>
internal static class StartupLog
{
    public const string Category = "MarketPush.Server";

    // What each well-known path is; anything else mapped later (e.g. the admin API) is described by its route.
    private static readonly Dictionary<string, string> s_descriptions = new(StringComparer.Ordinal)
    {
        ["/"] = "demo UI",
        ["/metrics"] = "Prometheus metrics",
        ["/healthz"] = "liveness (process alive)",
        ["/readyz"] = "readiness (feeds live, not shutting down, below the connection limit)",
        [DiagnosticsEndpoints.GcPath] = "diagnostics: forced full GC (--diagnostics)",
    };

    private static readonly string[] s_order = ["/", "/v1/stream", "/metrics", "/healthz", "/readyz"];

    public static void Write(ILogger logger, IReadOnlyList<string> addresses, Uri streamUri, IEndpointRouteBuilder routes, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(streamUri);
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(options);
        foreach (string address in addresses)
        {
            logger.LogInformation("Listening on {Address}", address);
        }

        // Endpoint URLs are given on the first listen address, the one StreamUri names.
        var http = new UriBuilder(streamUri) { Scheme = streamUri.Scheme == "wss" ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, Path = "/" };
        string baseUrl = http.Uri.GetLeftPart(UriPartial.Authority);
        foreach ((string path, string methods) in ListEndpoints(routes))
        {
            if (path == streamUri.AbsolutePath)
            {
                string limit = options.MaxConnections > 0 ? options.MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unlimited";
                logger.LogInformation(
                    "Endpoint {Methods} {Url}: {Description} (heartbeat {HeartbeatMs} ms, max connections {MaxConnections})",
                    "GET", streamUri, "WebSocket stream", options.HeartbeatMs, limit);
                continue;
            }

            string description = s_descriptions.TryGetValue(path, out string? known)
                ? known
                : path.StartsWith("/admin", StringComparison.Ordinal) ? "admin API" : "HTTP endpoint";
            logger.LogInformation("Endpoint {Methods} {Url}: {Description}", methods, baseUrl + path, description);
        }
    }

    /// <summary>Every routed path once, in mapping order, with its methods (several endpoints may share a path).</summary>
    internal static List<(string Path, string Methods)> ListEndpoints(IEndpointRouteBuilder routes)
    {
        var order = new List<string>();
        var methods = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (EndpointDataSource source in routes.DataSources)
        {
            foreach (Endpoint endpoint in source.Endpoints)
            {
                if (endpoint is not RouteEndpoint route)
                {
                    continue;
                }

                string path = FormatPattern(route.RoutePattern);
                if (path.Contains("{*", StringComparison.Ordinal))
                {
                    // A catch-all is a fallback (e.g. the admin API's uniform 401/404), not an endpoint to call.
                    continue;
                }

                if (!methods.TryGetValue(path, out SortedSet<string>? set))
                {
                    set = new SortedSet<string>(StringComparer.Ordinal);
                    methods.Add(path, set);
                    order.Add(path);
                }

                IReadOnlyList<string>? verbs = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
                if (verbs is null || verbs.Count == 0)
                {
                    set.Add("*");
                }
                else
                {
                    set.UnionWith(verbs);
                }
            }
        }

        // The well-known endpoints first, in a fixed order, then the rest as mapped.
        return [.. order
            .OrderBy(path => Array.IndexOf(s_order, path) is int rank and >= 0 ? rank : s_order.Length)
            .Select(path => (path, string.Join(',', methods[path])))];
    }

    private static string FormatPattern(RoutePattern pattern)
    {
        string raw = pattern.RawText ?? "/";
        return raw.StartsWith('/') ? raw : "/" + raw;
    }
}
