using MarketPush.Engine.Buffers;

namespace MarketPush.IntegrationTests;

#if DEBUG
/// <summary>
/// Debug builds only (CI's Debug leg requires these to pass, see tests/run-all.sh): proves that the host these tests
/// run was built with DEBUG, so its frame-rent tracking and [Conditional("DEBUG")] invariant checks are live.
/// </summary>
public sealed class DebugBuildTests
{
    [Fact]
    public async Task LeakedFrame_IsReportedWithWhereItWasRented_InDebugBuilds()
    {
        await using ServerScope server = await ServerScope.StartAsync();
        FramePool pool = server.Host.FramePool;

        SharedFrame leaked = pool.Rent(64);
        string report = pool.DescribeOutstanding();
        leaked.Release(); // returned before the scope's own leak check runs

        Assert.Contains("rented at:", report, StringComparison.Ordinal);
        Assert.Contains(nameof(LeakedFrame_IsReportedWithWhereItWasRented_InDebugBuilds), report, StringComparison.Ordinal);
    }
}
#endif
