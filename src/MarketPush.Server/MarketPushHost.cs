using System.Text;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.WebSockets;
using MarketPush.Server.Health;
using MarketPush.Server.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace MarketPush.Server;

/// <summary>
/// The running server: Kestrel (HTTP/1.1) with <c>GET /v1/stream</c> handled by the transport's
/// <see cref="StreamEndpoint"/>, <c>/healthz</c> (process alive) and <c>/readyz</c> (<see cref="ReadinessProbe"/>: feeds live, not
/// shutting down, below the connection limit). Program runs one until Ctrl-C/SIGTERM; tests start one in-process
/// on 127.0.0.1 port 0 and use the hooks below. Hosting only: the data path is built by <see cref="ServerComposition"/>
/// and the logic lives in MarketPush.Engine.
/// </summary>
public sealed class MarketPushHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StreamServer _stream;
    private readonly ServerComposition _composition;
    private int _stopped;

    private MarketPushHost(WebApplication app, ServerComposition composition, IReadOnlyList<string> addresses)
    {
        _app = app;
        _composition = composition;
        _stream = composition.Stream;
        StreamServer stream = _stream;
        Addresses = addresses;
        Uri first = new(addresses[0].Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal));
        Port = first.Port;
        string host = first.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : first.Host;
        string scheme = first.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        StreamUri = new Uri($"{scheme}://{(host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? "[" + host + "]" : host)}:{Port}{stream.Options.Path}");
    }

    /// <summary>ws://127.0.0.1:&lt;port&gt;/v1/stream (the first listen address).</summary>
    public Uri StreamUri { get; }

    /// <summary>The actual port of the first listen address (the ephemeral one when started with port 0).</summary>
    public int Port { get; }

    /// <summary>Every address Kestrel listens on, as it reports them.</summary>
    public IReadOnlyList<string> Addresses { get; }

    public int SessionCount => _stream.Sessions.Count;

    public FramePool FramePool => _stream.FramePool;

    /// <summary>The transport (sessions, frame builder, command handler) for tests and the next pipeline stages.</summary>
    public StreamServer Stream => _stream;

    public IServiceProvider Services => _app.Services;

    /// <summary>Every stage of the data path as the composition root built it: catalog, cache, router, scheduler, totals.</summary>
    public ServerComposition Composition => _composition;

    /// <summary>The supervised feeds (null with <c>--feed none</c>): their state, the recorder, <c>/readyz</c>'s answer.</summary>
    public FeedSet? Feeds => _composition.Feeds;

    /// <summary>Builds and starts the server. Port 0 binds an ephemeral port (see <see cref="Port"/>).</summary>
    public static async Task<MarketPushHost> StartAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(MarketPushHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        ConsoleLogSetup.Configure(builder.Logging, options.LogFormat);
        // Per-request lines from ASP.NET Core would drown ours; the lifetime lines ("Now listening on") stay.
        builder.Logging.AddFilter("Microsoft.AspNetCore", options.LogLevel > LogLevel.Warning ? options.LogLevel : LogLevel.Warning);
        builder.WebHost.UseUrls(options.GetListenUrls());
        if (options.ConfigPath is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(options.ConfigPath), optional: false, reloadOnChange: false);
        }

        // Built after the service container (the metrics come from its meter factory), before Kestrel starts: the
        // connection middleware below is only created once Kestrel binds, so it finds the composition in place.
        ServerComposition? composition = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Valid WebSocket upgrades skip Kestrel's per-connection HTTP/1.1 objects (DirectUpgradeMiddleware);
            // everything else reaches the HTTP pipeline below untouched.
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => composition!.Stream.UseDirectUpgrade(next)));
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(lifetime => lifetime.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(host =>
            host.ShutdownTimeout = TimeSpan.FromMilliseconds(options.ShutdownTimeoutMs) + TimeSpan.FromSeconds(10));
        builder.Services.AddHostedService(services => new StreamServerHostedService(composition!.Stream, services.GetRequiredService<IHostApplicationLifetime>()));
        builder.Services.AddMarketPushMetrics([.. DisconnectReasons.Known.Select(static r => (r.Code, r.Name))]);

        WebApplication app = builder.Build();
        ILoggerFactory loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();
        try
        {
            composition = await ServerComposition.BuildAsync(
                options,
                app.Configuration,
                app.Services.GetRequiredService<MarketPushMetrics>(),
                loggerFactory,
                TimeProvider.System,
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        StreamServer stream = composition.Stream;
        FeedSet? feeds = composition.Feeds;
        app.MapGet("/healthz", () => "ok");

        // Ready while the feeds are live, the server is not shutting down and it is below its connection limit; the
        // body names the condition that failed (and which feed is not live, and why).
        app.MapGet(ReadinessProbe.Path, (HttpContext context) => ReadinessProbe.WriteAsync(context, stream, feeds));
        DemoUiEndpoint.Map(app);
        if (options.Diagnostics)
        {
            DiagnosticsEndpoints.Map(app);
        }

        Admin.AdminApi.Map(app, options, stream);
        app.Map(stream.Options.Path, stream.Endpoint.HandleAsync);
        app.MapPrometheusMetrics("/metrics");

        // Market data flows before the first client can connect, so its first subscribe already finds last values.
        try
        {
            composition.Start();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await composition.DisposeAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        string[] addresses = [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses];
        var host = new MarketPushHost(app, composition, addresses);
        ILogger logger = loggerFactory.CreateLogger(StartupLog.Category);
        StartupLog.Write(logger, addresses, host.StreamUri, app, options);
        return host;
    }

    /// <summary>
    /// Test hook: sends one text message to every open session (compressed for deflate sessions when at or over the
    /// compression threshold); <paramref name="fragmentBytes"/> &gt; 0 splits it into frames of that many payload bytes.
    /// </summary>
    public void BroadcastText(string text, int fragmentBytes = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] payload = Encoding.UTF8.GetBytes(text);
        using OutboundMessage message = _stream.Frames.CreateMessage(WebSocketOpcode.Text, payload, fragmentBytes);
        _stream.Broadcast(message);
    }

    /// <summary>Completes when the host is told to stop (Ctrl-C, SIGTERM, <see cref="StopAsync"/>) and has stopped.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Graceful stop: close 1001 to every session, a bounded wait for their replies, abort the rest, stop Kestrel.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await _stream.ShutdownAsync().ConfigureAwait(false);
            return;
        }

        // Our shutdown first (it is bounded), then Kestrel, which then has no upgraded connections left to wait for;
        // the feeds stop once no session is left to receive their updates.
        await _composition.StopAsync().ConfigureAwait(false); // the transport's shutdown first, then feeds and ingest
        await _app.StopAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        // After Kestrel is gone: the transport's inflater and the frame builder's deflaters are released.
        await _composition.DisposeAsync().ConfigureAwait(false);
    }
}
