using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>A transport that records what the session asked of it.</summary>
internal sealed class FakeTransport : ISessionTransport
{
    public List<long> Ticks { get; } = [];

    public int Aborts { get; private set; }

    public bool ThrowOnTick { get; set; }

    public void OnKeepAliveTick(long timestamp)
    {
        Ticks.Add(timestamp);
        if (ThrowOnTick)
        {
            throw new InvalidOperationException("broken transport");
        }
    }

    public void Abort() => Aborts++;
}
