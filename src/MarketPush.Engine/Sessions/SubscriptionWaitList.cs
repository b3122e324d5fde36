using System.Diagnostics;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// One of a session's two wait lines for held values: subscriptions waiting for their maxRate interval, or for space
/// in the session's <see cref="OutboundQueue"/>. First in, first out, so held values leave in the order their keys
/// started waiting and a new key joins the line rather than overtaking it.
/// </summary>
/// <remarks>
/// Intrusive: the links live in the <see cref="Subscription"/> (<see cref="Subscription.SlotNext"/>,
/// <see cref="Subscription.SlotPrevious"/>), so appending and removing are O(1) and allocate nothing; a subscription
/// is in at most one line. Not thread-safe: every member except <see cref="CountHint"/> is called under the owning
/// <see cref="ConflatingDelivery"/>'s lock (router, receive loop, send loop and timer threads all take it).
/// <see cref="CountHint"/> is a mirror written under that lock and read without it, so the send loop's call after
/// every write can see "nobody waits" without taking the lock. A mutable struct held in a (non-readonly) field of its
/// owner, as the old inline lists were, so a subscribed session carries no extra objects for its two lines.
/// </remarks>
internal struct SubscriptionWaitList
{
    private int _countHint;

    public Subscription? Head { get; private set; }

    public Subscription? Tail { get; private set; }

    public int Count { get; private set; }

    /// <summary><see cref="Count"/> as last written under the lock; any thread, a hint only.</summary>
    public int CountHint => Volatile.Read(ref _countHint);

    public void Append(Subscription subscription)
    {
        Debug.Assert(subscription.SlotNext is null && subscription.SlotPrevious is null && Head != subscription, "in no line yet");
        subscription.SlotPrevious = Tail;
        subscription.SlotNext = null;
        if (Tail is null)
        {
            Head = subscription;
        }
        else
        {
            Tail.SlotNext = subscription;
        }

        Tail = subscription;
        Count++;
        Volatile.Write(ref _countHint, Count);
    }

    public void Remove(Subscription subscription)
    {
        if (subscription.SlotPrevious is null)
        {
            Debug.Assert(Head == subscription, "a subscription without a previous link heads this line");
            Head = subscription.SlotNext;
        }
        else
        {
            subscription.SlotPrevious.SlotNext = subscription.SlotNext;
        }

        if (subscription.SlotNext is null)
        {
            Tail = subscription.SlotPrevious;
        }
        else
        {
            subscription.SlotNext.SlotPrevious = subscription.SlotPrevious;
        }

        subscription.SlotNext = null;
        subscription.SlotPrevious = null;
        Count--;
        Volatile.Write(ref _countHint, Count);
    }

    [Conditional("DEBUG")]
    public void AssertConsistent() => Debug.Assert(Count == _countHint && (Count == 0) == (Head is null), "wait line count in step");
}
