using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MarketPush.Engine.Metrics;

/// <summary>
/// DI registration for hosts that use a service container: one <see cref="MarketPushMetrics"/> (its meter from
/// the host's <see cref="IMeterFactory"/>) and one <see cref="MetricsCollector"/> listening to it, both singletons.
/// Stages take <see cref="MarketPushMetrics"/> as a constructor argument.
/// </summary>
public static class MetricsServiceCollectionExtensions
{
    /// <param name="knownSessionCloses">The (code, reason) pairs that get a zero series at startup (see <see cref="MarketPushMetrics"/>).</param>
    public static IServiceCollection AddMarketPushMetrics(this IServiceCollection services, IReadOnlyList<(ushort Code, string Name)>? knownSessionCloses = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(sp => new MarketPushMetrics(sp.GetService<IMeterFactory>(), sp.GetService<TimeProvider>(), knownSessionCloses));
        services.TryAddSingleton(static sp => new MetricsCollector(sp.GetRequiredService<MarketPushMetrics>()));
        return services;
    }
}
