using System.Threading.Channels;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Ingest;

public class IngestChannelsTests
{
    [Fact]
    public void Open_GivesEachFeedItsOwnBoundedChannel_AndRejectsADuplicateName()
    {
        var channels = new IngestChannels();
        IngestChannel a = channels.Open("a", capacity: 4);
        IngestChannel b = channels.Open("b", capacity: 4);

        Assert.Throws<InvalidOperationException>(() => channels.Open("a"));
        Assert.Equal(["a", "b"], channels.Channels.Select(static c => c.FeedName));
        Assert.True(a.TryWrite(default));
        Assert.Equal(1, a.Count);
        Assert.Equal(0, b.Count);
    }

    [Fact]
    public void WaitMode_RefusesWritesWhenFull_AndDropsNothing()
    {
        IngestChannel channel = new IngestChannels().Open("feed", capacity: 2);

        Assert.True(channel.TryWrite(Numbered(1)));
        Assert.True(channel.TryWrite(Numbered(2)));
        Assert.False(channel.TryWrite(Numbered(3), out bool dropped, out _));

        Assert.False(dropped);
        Assert.Equal(0, channel.Dropped);
        Assert.Equal(BoundedChannelFullMode.Wait, channel.FullMode);
    }

    [Fact]
    public void DropMode_CountsEveryDroppedTick_AndHandsEachOneBackToTheWriter()
    {
        var channels = new IngestChannels();
        IngestChannel channel = channels.Open("quotes-only", capacity: 2, BoundedChannelFullMode.DropOldest);

        var handedBack = new List<long>();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(channel.TryWrite(Numbered(i), out bool dropped, out Tick oldest));
            Assert.Equal(i >= 2, dropped);
            if (dropped)
            {
                handedBack.Add(oldest.Timestamp);
            }
        }

        Assert.Equal(8, channel.Dropped);
        Assert.Equal(8, channels.TotalDropped);
        Assert.Equal(Enumerable.Range(0, 8).Select(static i => (long)i), handedBack);
        Assert.True(channel.Reader.TryRead(out Tick oldestKept));
        Assert.Equal(8, oldestKept.Timestamp);
    }

    [Fact]
    public async Task Complete_LetsTheReaderDrainWhatIsQueued_ThenEnds()
    {
        IngestChannel channel = new IngestChannels().Open("feed", capacity: 4);
        Assert.True(channel.TryWrite(Numbered(1)));

        channel.Complete();

        Assert.False(channel.TryWrite(Numbered(2)));
        Assert.False(await channel.WaitToWriteAsync());
        Assert.True(channel.Reader.TryRead(out Tick queued));
        Assert.Equal(1, queued.Timestamp);
        await channel.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>Small ticks told apart by their timestamp.</summary>
    private static Tick Numbered(long timestamp) => Tick.ForStatus(0, timestamp, FeedState.Open);
}
