using System.Buffers;
using System.Diagnostics;
using System.Text.Json;

namespace MarketPush.Baseline.AspNetCore;

/// <summary>
/// The built-in synthetic feed: <c>--rate</c> quote updates per second spread round robin over the symbols, each a
/// small random walk of bid/ask in cents. Runs on its own thread; each update gets its per-symbol seq and its ts
/// (µs since the Unix epoch) when it is made, is encoded once to JSON with Utf8JsonWriter, and the same byte array is
/// handed to every subscriber's queue.
/// </summary>
internal sealed class QuoteFeed : IDisposable
{
    private readonly BaselineOptions _options;
    private readonly SubscriptionRegistry _registry;
    private readonly Random _random;
    private readonly long[] _mid;
    private readonly long[] _seq;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _next;

    public QuoteFeed(BaselineOptions options, SubscriptionRegistry registry)
    {
        _options = options;
        _registry = registry;
        _random = new Random(unchecked((int)options.Seed));
        _mid = [.. Enumerable.Range(0, registry.Names.Length).Select(_ => (long)_random.Next(1_000, 50_000))];
        _seq = new long[registry.Names.Length];
        _json = new Utf8JsonWriter(_buffer);
        _thread = new Thread(Run) { IsBackground = true, Name = "quote-feed" };
    }

    public void Start() => _thread.Start();

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        _json.Dispose();
    }

    private void Run()
    {
        double rate = _options.Rate;
        if (rate <= 0)
        {
            return;
        }

        // Open loop: emit what the clock says is due every millisecond or so; at most one second of backlog is caught up.
        var clock = Stopwatch.StartNew();
        long emitted = 0;
        long maxBacklog = Math.Max(1, (long)rate);
        while (!_stopping)
        {
            long due = (long)(clock.Elapsed.TotalSeconds * rate);
            if (due - emitted > maxBacklog)
            {
                emitted = due - maxBacklog;
            }

            while (emitted < due)
            {
                Emit();
                emitted++;
            }

            Thread.Sleep(1);
        }
    }

    private void Emit()
    {
        int symbol = _next;
        _next = (_next + 1) % _mid.Length;
        int move = _random.Next(3) - 1;
        _mid[symbol] = Math.Max(100, _mid[symbol] + move);
        long bid = _mid[symbol] - 1;
        long ask = _mid[symbol] + 1;
        long seq = ++_seq[symbol];
        long ts = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

        _buffer.ResetWrittenCount();
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("type", "quote");
        _json.WriteString("symbol", _registry.Names[symbol]);
        _json.WriteNumber("seq", seq);
        _json.WriteNumber("ts", ts);
        _json.WriteNumber("bid", bid / 100m);
        _json.WriteNumber("bidSize", _random.Next(1, 10) * 100);
        _json.WriteNumber("ask", ask / 100m);
        _json.WriteNumber("askSize", _random.Next(1, 10) * 100);
        _json.WriteEndObject();
        _json.Flush();
        byte[] message = _buffer.WrittenSpan.ToArray();

        foreach (Session session in _registry.SubscribersOf(symbol))
        {
            session.Enqueue(message);
        }
    }
}
