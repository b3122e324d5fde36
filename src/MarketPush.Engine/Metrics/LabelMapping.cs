namespace MarketPush.Engine.Metrics;

/// <summary>An instrument tag key and the Prometheus label name it is exported as.</summary>
internal readonly record struct LabelMapping(string TagKey, string LabelName);
