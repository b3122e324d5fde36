using Microsoft.Extensions.Hosting;

namespace MarketPush.Engine.Transport;

/// <summary>
/// Ties <see cref="StreamServer"/> to the host's lifetime: starts the keepalive timer, and on Ctrl-C/SIGTERM (or a
/// programmatic stop) begins graceful shutdown as soon as <see cref="IHostApplicationLifetime.ApplicationStopping"/>
/// fires, so close 1001 goes out before Kestrel stops; <see cref="StopAsync"/> then waits for that shutdown, which
/// is bounded by <see cref="StreamOptions.ShutdownTimeoutMs"/> whatever order the host stops its services in.
/// </summary>
public sealed class StreamServerHostedService : IHostedService
{
    private readonly StreamServer _server;
    private readonly IHostApplicationLifetime _lifetime;
    private CancellationTokenRegistration _stopping;

    public StreamServerHostedService(StreamServer server, IHostApplicationLifetime lifetime)
    {
        _server = server;
        _lifetime = lifetime;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server.Start();
        _stopping = _lifetime.ApplicationStopping.Register(static state => _ = ((StreamServer)state!).ShutdownAsync(), _server);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.DisposeAsync().ConfigureAwait(false);
        await _server.ShutdownAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
