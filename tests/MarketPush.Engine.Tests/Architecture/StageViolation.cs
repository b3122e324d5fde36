namespace MarketPush.Engine.Tests.Architecture;

/// <summary>One reference against the data path's direction, as <see cref="StageDependencyChecker"/> reports it.</summary>
internal sealed record StageViolation(string FromType, string FromLayer, string ToType, string ToLayer, string Where)
{
    public override string ToString() => $"{FromType} ({FromLayer}) -> {ToType} ({ToLayer}), in {Where}";
}
