namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>Runs alone: its tests measure latency, so other tests' servers must not share the two cores meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IsolationCollection
{
    public const string Name = "Latency isolation";
}
