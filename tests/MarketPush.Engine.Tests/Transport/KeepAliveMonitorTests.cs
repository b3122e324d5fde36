using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Sessions;
using MarketPush.Engine.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Tests.Transport;

public sealed class KeepAliveMonitorTests : IDisposable
{
    private readonly SessionTestKit _kit = new();

    [Fact]
    public void Tick_GivesEverySessionsTransportTheSameTimestamp()
    {
        var registry = new SessionRegistry();
        var transports = new List<FakeTransport>();
        for (int i = 0; i < 3; i++)
        {
            Session session = _kit.NewSession();
            var transport = new FakeTransport();
            session.AttachTransport(transport);
            transports.Add(transport);
            registry.TryAdd(session);
        }

        registry.TryAdd(_kit.NewSession()); // a session without a transport is skipped
        var monitor = new KeepAliveMonitor(registry, TimeSpan.FromSeconds(1), _kit.Time, NullLogger.Instance);

        monitor.Tick();
        _kit.Time.Advance(TimeSpan.FromSeconds(1));
        monitor.Tick();

        long start = transports[0].Ticks[0];
        Assert.All(transports, t => Assert.Equal([start, start + _kit.Time.TimestampFrequency], t.Ticks)); // one second later
    }

    [Fact]
    public void Tick_KeepsGoing_WhenOneTransportThrows()
    {
        var registry = new SessionRegistry();
        var broken = new FakeTransport { ThrowOnTick = true };
        var healthy = new FakeTransport();
        Session first = _kit.NewSession();
        first.AttachTransport(broken);
        Session second = _kit.NewSession();
        second.AttachTransport(healthy);
        registry.TryAdd(first);
        registry.TryAdd(second);
        var monitor = new KeepAliveMonitor(registry, TimeSpan.FromSeconds(1), _kit.Time, NullLogger.Instance);

        monitor.Tick();

        Assert.Single(broken.Ticks);
        Assert.Single(healthy.Ticks);
    }

    [Fact]
    public async Task Start_TicksPeriodically_UntilDisposed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var registry = new SessionRegistry();
        var transport = new TickCounter();
        Session session = _kit.NewSession();
        session.AttachTransport(transport);
        registry.TryAdd(session);
        var monitor = new KeepAliveMonitor(registry, TimeSpan.FromMilliseconds(10), _kit.Time, NullLogger.Instance);

        monitor.Start();
        for (int i = 1; i <= 3; i++)
        {
            _kit.Time.Advance(TimeSpan.FromMilliseconds(10)); // fires the monitor's PeriodicTimer
            await transport.Ticks.WaitAsync(timeout.Token);
        }

        await transport.ReachedThree.Task.WaitAsync(timeout.Token);
        await monitor.DisposeAsync(); // returns once its loop has ended
        int after = transport.Count;
        _kit.Time.Advance(TimeSpan.FromSeconds(1)); // a hundred intervals: a timer still armed would fire here, on this thread

        Assert.Equal(after, transport.Count);
    }

    [Fact]
    public void Tick_AllocatesNothing_WhenNoSessionCameOrWent()
    {
        // 8,000 idle connections get a tick every heartbeatMs/4: the walk must cost comparisons, not garbage.
        var registry = new SessionRegistry();
        var transports = new List<TickCounter>();
        for (int i = 0; i < 200; i++)
        {
            Session session = _kit.NewSession();
            var transport = new TickCounter();
            session.AttachTransport(transport);
            transports.Add(transport);
            registry.TryAdd(session);
        }

        var monitor = new KeepAliveMonitor(registry, TimeSpan.FromSeconds(1), _kit.Time, NullLogger.Instance);
        monitor.Tick(); // builds the registry's snapshot once

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            monitor.Tick();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.All(transports, t => Assert.Equal(11, t.Count));
    }

    public void Dispose() => _kit.Dispose();

    private sealed class TickCounter : ISessionTransport
    {
        private int _count;

        public TaskCompletionSource ReachedThree { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => Volatile.Read(ref _count);

        /// <summary>Released once per tick, so a test awaits each tick instead of sleeping.</summary>
        public SemaphoreSlim Ticks { get; } = new(0);

        public void OnKeepAliveTick(long timestamp)
        {
            Ticks.Release();
            if (Interlocked.Increment(ref _count) == 3)
            {
                ReachedThree.TrySetResult();
            }
        }

        public void Abort()
        {
        }
    }
}
