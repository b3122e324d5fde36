namespace MarketPush.LoadGen.Measure;

/// <summary>CPU time (user + system) and resident memory of a process at one instant, from /proc.</summary>
internal readonly record struct ProcessSample(long Timestamp, double CpuSeconds, long RssBytes);
