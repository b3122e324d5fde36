using System.Threading.Channels;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary>
/// A feed whose behaviour the test scripts: each start runs <c>run(writer, start number, token)</c>. By default it
/// keeps the writer (<see cref="Writer"/>) so the test can write ticks as "the feed", and runs until stopped.
/// </summary>
internal sealed class SupervisorTestFeed(string name, Func<ChannelWriter<Tick>, int, CancellationToken, Task>? run = null) : IFeedAdapter
{
    private int _starts;

    public string Name { get; } = name;

    public int Starts => Volatile.Read(ref _starts);

    public ChannelWriter<Tick>? Writer { get; private set; }

    public Task RunAsync(ChannelWriter<Tick> output, CancellationToken cancellationToken)
    {
        int start = Interlocked.Increment(ref _starts);
        Writer = output;
        return run is null ? RunUntilStoppedAsync(cancellationToken) : run(output, start, cancellationToken);
    }

    /// <summary>Writes a tick as the feed would (fails the test if the channel refuses it).</summary>
    public void Write(Tick tick) => Assert.True(Writer!.TryWrite(tick), $"{Name} could not write {tick}");

    private static async Task RunUntilStoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
