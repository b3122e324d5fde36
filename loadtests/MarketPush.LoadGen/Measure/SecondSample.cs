namespace MarketPush.LoadGen.Measure;

/// <summary>
/// What all I/O workers received during one second of the run (second 0 starts when the load starts): the input of the
/// progress line and of the latency-over-time and throughput plots. Built by <see cref="TimelineAggregator"/>.
/// </summary>
internal readonly record struct SecondSample(int Second, long Quotes, long WireBytes, LatencySummary Latency);
