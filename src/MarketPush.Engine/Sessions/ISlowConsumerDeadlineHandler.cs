namespace MarketPush.Engine.Sessions;

/// <summary>
/// Who a <see cref="SlowConsumerDeadline"/> tells that its time passed: the session's <see cref="ConflatingDelivery"/>,
/// which checks under its lock whether the queue is still stuck and closes the session with 4001 if so. Called on the
/// timer wheel's thread with no lock held.
/// </summary>
internal interface ISlowConsumerDeadlineHandler
{
    void OnDeadline(long timestamp);
}
