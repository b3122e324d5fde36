namespace MarketPush.IntegrationTests;

/// <summary>
/// Polls a condition with a deadline, for states the server reaches on its own threads without raising an event a test
/// could await (a last value landing in the cache). Where an event exists, await it instead.
/// </summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        DateTimeOffset deadline = DateTimeOffset.UtcNow + timeout;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new Xunit.Sdk.XunitException($"timed out after {timeout.TotalSeconds:0.#} s waiting until {what}");
            }

            await Task.Delay(10, cancellationToken); // a poll interval, not a wait for the thing itself
        }
    }
}
