namespace MarketPush.Engine.Tests.Routing;

/// <summary>
/// Runs alone: the add/remove-while-publishing test keeps both cores busy for a second or two, which would starve
/// the timing-sensitive keep-alive and supervisor tests running beside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RouterChurnCollection
{
    public const string Name = "Router churn";
}
