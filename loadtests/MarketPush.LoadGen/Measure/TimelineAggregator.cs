namespace MarketPush.LoadGen.Measure;

/// <summary>
/// Merges the workers' per-second histograms into one sample per second. Each worker calls <see cref="Flush"/> once per
/// elapsed second (with its own interval histogram, which it then resets), so the lock is taken a few times a second,
/// never per message; a second is complete when every worker has flushed it. The control thread drains completed
/// seconds with <see cref="TakeCompleted"/>. Owns one histogram per second still in progress.
/// </summary>
internal sealed class TimelineAggregator
{
    private readonly Lock _lock = new();
    private readonly int _workerCount;
    private readonly Dictionary<int, Pending> _pending = [];
    private readonly List<SecondSample> _completed = [];

    public TimelineAggregator(int workerCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workerCount);
        _workerCount = workerCount;
    }

    /// <summary>Called by a worker for each second it has finished, in order, with what it received in that second.</summary>
    public void Flush(int second, LatencyHistogram interval, long quotes, long wireBytes)
    {
        ArgumentNullException.ThrowIfNull(interval);
        lock (_lock)
        {
            if (!_pending.TryGetValue(second, out Pending? pending))
            {
                pending = new Pending();
                _pending[second] = pending;
            }

            pending.Histogram.Add(interval);
            pending.Quotes += quotes;
            pending.WireBytes += wireBytes;
            if (++pending.Workers == _workerCount)
            {
                _pending.Remove(second);
                _completed.Add(new SecondSample(second, pending.Quotes, pending.WireBytes, pending.Histogram.Summarize()));
            }
        }
    }

    /// <summary>Moves the completed seconds (in order) into <paramref name="destination"/>.</summary>
    public void TakeCompleted(List<SecondSample> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        lock (_lock)
        {
            _completed.Sort(static (a, b) => a.Second.CompareTo(b.Second));
            destination.AddRange(_completed);
            _completed.Clear();
        }
    }

    /// <summary>After the workers stopped: whatever seconds some worker did not finish, as they are.</summary>
    public void TakeRemaining(List<SecondSample> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        TakeCompleted(destination);
        lock (_lock)
        {
            foreach ((int second, Pending pending) in _pending.OrderBy(p => p.Key))
            {
                destination.Add(new SecondSample(second, pending.Quotes, pending.WireBytes, pending.Histogram.Summarize()));
            }

            _pending.Clear();
        }
    }

    private sealed class Pending
    {
        public LatencyHistogram Histogram { get; } = new();

        public long Quotes { get; set; }

        public long WireBytes { get; set; }

        public int Workers { get; set; }
    }
}
