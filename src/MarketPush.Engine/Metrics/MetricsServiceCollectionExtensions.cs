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
    public static IServiceCollection AddMarketPushMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(static sp => new MarketPushMetrics(sp.GetService<IMeterFactory>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(static sp => new MetricsCollector(sp.GetRequiredService<MarketPushMetrics>()));
        return services;
    }
}
