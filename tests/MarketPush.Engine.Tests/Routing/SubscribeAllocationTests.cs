using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Routing;

/// <summary>
/// What one <c>subscribe</c> command costs in garbage. Thousands of connections subscribe within seconds of a start or
/// a reconnect storm, and every byte they allocate grows the GC's budget, which stays resident (idle-memory.md).
/// </summary>
public sealed class SubscribeAllocationTests : IDisposable
{
    private readonly RoutingTestKit _kit = new(instruments: 1000);

    [Fact]
    public void Subscribe_ToTwoSymbols_AllocatesUnder4KiB_WhenTheSymbolsHaveFewSubscribers()
    {
        for (int i = 0; i < 1000; i++)
        {
            _kit.Quote(i, bid: 10_000 + i);
        }

        var sessions = new List<TestSession>();
        for (int i = 0; i < 20; i++)
        {
            sessions.Add(Subscribed(i, i + 500)); // warm-up: JIT, thread-static reply buffer, pools
        }

        long worst = 0;
        for (int i = 0; i < 20; i++)
        {
            TestSession session = _kit.NewSession();
            ClientCommand command = RoutingTestKit.Command($$"""{"op":"subscribe","id":1,"symbols":["SYM{{i + 100:D4}}","SYM{{i + 700:D4}}"]}""");
            long before = GC.GetAllocatedBytesForCurrentThread();
            _kit.Commands.Subscribe(session.Table, command);
            worst = Math.Max(worst, GC.GetAllocatedBytesForCurrentThread() - before);
            sessions.Add(session);
            Assert.Equal(2, session.Table.Count);
        }

        // Today ~1.9 KB: the command's working lists, two Subscription objects, the reply and two snapshot messages.
        // (SubscriptionRouter.Add no longer copies a group's array per add, so this holds for popular symbols too:
        // SubscriberGroupGrowthTests.)
        Assert.True(worst <= 4 * 1024, $"a subscribe to two symbols allocated {worst} B");
        _kit.AssertNoLeaks([.. sessions]);
    }

    private TestSession Subscribed(int first, int second)
    {
        TestSession session = _kit.NewSession();
        session.Subscribe($$"""{"op":"subscribe","id":1,"symbols":["SYM{{first:D4}}","SYM{{second:D4}}"]}""");
        return session;
    }

    public void Dispose() => _kit.Dispose();
}
