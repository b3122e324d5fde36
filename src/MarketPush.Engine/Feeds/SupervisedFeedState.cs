namespace MarketPush.Engine.Feeds;

/// <summary>Where a supervised feed is in its life (<see cref="SupervisedFeed.State"/>).</summary>
public enum SupervisedFeedState
{
    /// <summary>Added, the supervisor not started yet.</summary>
    Idle = 0,

    /// <summary>The adapter's <c>RunAsync</c> is running.</summary>
    Running = 1,

    /// <summary>The adapter failed; waiting out the backoff delay before the next start.</summary>
    Restarting = 2,

    /// <summary>The adapter returned on its own (a replay reached the end of its file); not restarted.</summary>
    Completed = 3,

    /// <summary>The adapter failed and will not be restarted (restart disabled, or a permanent error such as a bad capture file).</summary>
    Failed = 4,

    /// <summary>The supervisor stopped it.</summary>
    Stopped = 5,
}
