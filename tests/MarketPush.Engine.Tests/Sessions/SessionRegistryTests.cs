using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Tests.Sessions;

public sealed class SessionRegistryTests : IDisposable
{
    private readonly SessionTestKit _kit = new();

    [Fact]
    public void Snapshot_ReflectsAddsAndRemoves_AndIsReusedWhileNothingChanges()
    {
        var registry = new SessionRegistry();
        Session a = _kit.NewSession();
        Session b = _kit.NewSession();
        Assert.True(registry.TryAdd(a));
        Assert.True(registry.TryAdd(b));
        Assert.False(registry.TryAdd(a));

        IStreamSession[] first = registry.Snapshot();
        Assert.Equal(2, first.Length);
        Assert.Same(first, registry.Snapshot()); // broadcasts do not rebuild it

        Assert.True(registry.Remove(a));
        Assert.False(registry.Remove(a));
        Assert.Equal([b], registry.Snapshot());
        Assert.True(registry.TryGet(b.Id, out IStreamSession found));
        Assert.Same(b, found);
    }

    [Fact]
    public async Task WaitForEmptyAsync_CompletesWhenTheLastSessionLeaves()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var registry = new SessionRegistry();
        Session a = _kit.NewSession();
        registry.TryAdd(a);

        Task<bool> wait = registry.WaitForEmptyAsync(TimeSpan.FromSeconds(20), timeout.Token);
        Assert.False(wait.IsCompleted);
        registry.Remove(a);

        Assert.True(await wait.WaitAsync(timeout.Token));
    }

    [Fact]
    public async Task WaitForEmptyAsync_ReturnsFalse_WhenSessionsOutlastTheTimeout()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var registry = new SessionRegistry();
        registry.TryAdd(_kit.NewSession());

        Assert.False(await registry.WaitForEmptyAsync(TimeSpan.FromMilliseconds(50), timeout.Token));
    }

    public void Dispose() => _kit.Dispose();
}
