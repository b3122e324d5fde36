using System.Threading.Channels;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Ingest;

public class TickChannelsTests
{
    [Fact]
    public void Open_GivesEachFeedItsOwnBoundedChannel_AndRejectsADuplicateName()
    {
        var channels = new TickChannels(capacityPerFeed: 4);
        TickChannel a = channels.Open("a");
        TickChannel b = channels.Open("b");

        Assert.Throws<InvalidOperationException>(() => channels.Open("a"));
        Assert.Equal(["a", "b"], channels.Channels.Select(static c => c.FeedName));
        Assert.True(a.Writer.TryWrite(default));
        Assert.Equal(1, a.Count);
        Assert.Equal(0, b.Count);
    }

    [Fact]
    public void WaitMode_RefusesWritesWhenFull_AndDropsNothing()
    {
        TickChannel channel = new TickChannels(capacityPerFeed: 2).Open("feed");

        Assert.True(channel.Writer.TryWrite(Numbered(1)));
        Assert.True(channel.Writer.TryWrite(Numbered(2)));
        Assert.False(channel.Writer.TryWrite(Numbered(3)));

        Assert.Equal(0, channel.Dropped);
        Assert.Equal(BoundedChannelFullMode.Wait, channel.FullMode);
    }

    [Fact]
    public void DropMode_CountsEveryDroppedTick()
    {
        var channels = new TickChannels(capacityPerFeed: 2, BoundedChannelFullMode.DropOldest);
        TickChannel channel = channels.Open("quotes-only");

        for (int i = 0; i < 10; i++)
        {
            Assert.True(channel.Writer.TryWrite(Numbered(i)));
        }

        Assert.Equal(8, channel.Dropped);
        Assert.Equal(8, channels.TotalDropped);
        Assert.True(channel.Reader.TryRead(out Tick oldestKept));
        Assert.Equal(8, oldestKept.Timestamp);
    }

    /// <summary>Small ticks told apart by their timestamp.</summary>
    private static Tick Numbered(long timestamp) => Tick.ForStatus(0, timestamp, FeedState.Open);
}
