namespace MarketPush.Engine.Tests;

/// <summary>
/// Polls a condition with a deadline, for states a component reaches on its own task without an event a test could
/// await (a feed's state, a count). Where an event exists (a TaskCompletionSource, a channel read, FakeTimeProvider's
/// Advance), use it instead.
/// </summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? TimeSpan.FromSeconds(5);
        DateTime deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {limit.TotalSeconds:0.#} s waiting until {what}");
            await Task.Delay(5); // a poll interval, not a wait for the thing itself
        }
    }
}
