using MarketPush.Engine.Metrics;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Routing;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>Per-session counts are exact at once; the server totals get them in batches, and rare drops at once.</summary>
public sealed class DeliveryCountersTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 11, 22, 14, 30, 0, TimeSpan.Zero));
    private readonly DeliveryTotals _totals = new();
    private readonly DeliveryCounters _counters;

    public DeliveryCountersTests() => _counters = new DeliveryCounters(_clock, _totals, metrics: null);

    [Fact]
    public void FirstConflation_IsHandedOverAtOnce_ThenCountsWaitForTheIntervalOrTheBatchSize()
    {
        _counters.CountConflated(ConflationReason.QueueFull);
        Hand(_counters.TakeIfDue(_clock.GetTimestamp()));
        Assert.Equal(1, _totals.Conflated);

        for (int i = 0; i < 10; i++)
        {
            _counters.CountConflated(ConflationReason.MaxRate);
            _counters.CountResyncDrop();
            Hand(_counters.TakeIfDue(_clock.GetTimestamp()));
        }

        Assert.Equal(11, _counters.Conflated);
        Assert.Equal(10, _counters.Dropped);
        Assert.Equal(1, _totals.Conflated); // not due yet
        Assert.True(_counters.HasUnreported);

        _clock.Advance(TimeSpan.FromMilliseconds(DeliveryCounters.ReportIntervalMs));
        Hand(_counters.TakeIfDue(_clock.GetTimestamp()));
        Assert.Equal(11, _totals.Conflated);
        Assert.Equal(10, _totals.Dropped);
        Assert.False(_counters.HasUnreported);

        for (int i = 0; i < DeliveryCounters.ReportBatch; i++)
        {
            _counters.CountConflated(ConflationReason.QueueFull);
        }

        Hand(_counters.TakeIfDue(_clock.GetTimestamp())); // a full batch is due without waiting
        Assert.Equal(11 + DeliveryCounters.ReportBatch, _totals.Conflated);
    }

    [Fact]
    public void RareDrop_IsHandedOverAtOnce_AndTakeAllEmptiesWhatIsLeft()
    {
        _counters.CountConflated(ConflationReason.QueueFull);
        Hand(_counters.TakeIfDue(_clock.GetTimestamp()));
        _counters.CountConflated(ConflationReason.QueueFull); // waits for the interval

        _counters.CountDropped(DropReason.SessionClosing);
        Hand(_counters.TakeIfDue(_clock.GetTimestamp()));
        Assert.Equal(1, _totals.Dropped);
        Assert.Equal(2, _totals.Conflated); // went along with it

        _counters.CountConflated(ConflationReason.MaxRate);
        _counters.CountEnqueued();
        Hand(_counters.TakeAll());
        Assert.Equal(3, _totals.Conflated);
        Assert.Equal(1, _counters.Enqueued);
        Assert.False(_counters.HasUnreported);
        Assert.Equal(0, _counters.TakeAll().Total);
    }

    private void Hand(DeliveryCountBatch batch) => _counters.Report(batch);
}
