using System.Text;
using Xunit.Sdk;

namespace MarketPush.PeerTests;

// Everything one peer reported, in the order it reported it. Written by whatever pumps the peer's output
// (a stdout reader thread, a Kestrel request handler, the in-process client loop); read by the test thread,
// which waits on it with a deadline. Owns nothing disposable.
internal sealed class PeerTranscript
{
    private readonly object _gate = new();
    private readonly List<PeerEvent> _events = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PeerTranscript(string peerName) => PeerName = peerName;

    public string PeerName { get; }

    // Extra context for failure messages (the peer's stderr); set by whoever runs the peer.
    public Func<string>? Diagnostics { get; set; }

    public void AddLine(string line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            Add(PeerEvent.Parse(line.Trim()));
        }
    }

    public void Add(PeerEvent peerEvent)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _events.Add(peerEvent);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public IReadOnlyList<PeerEvent> Snapshot()
    {
        lock (_gate)
        {
            return _events.ToArray();
        }
    }

    // Wakes any waiter so it re-checks its own exit conditions (e.g. the peer process ended).
    public void Poke()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public async Task<PeerEvent> WaitForAsync(Func<PeerEvent, bool> predicate, string what, TimeSpan timeout)
    {
        PeerEvent? found = null;
        await WaitUntilAsync(events => (found = events.FirstOrDefault(predicate)) is not null, what, timeout).ConfigureAwait(false);
        return found!;
    }

    // Re-checks `condition` against everything reported so far each time the peer reports something.
    public async Task WaitUntilAsync(Func<IReadOnlyList<PeerEvent>, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            IReadOnlyList<PeerEvent> events;
            lock (_gate)
            {
                events = _events.ToArray();
                changed = _changed.Task;
            }

            if (condition(events))
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new XunitException($"{PeerName}: timed out after {timeout.TotalSeconds:0} s waiting for {what}.\n{Describe()}");
            }

            await Task.WhenAny(changed, Task.Delay(left)).ConfigureAwait(false);
        }
    }

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append("--- ").Append(PeerName).AppendLine(" reported:");
        foreach (var e in Snapshot())
        {
            var raw = e.Raw.Length > 400 ? e.Raw[..400] + "…" : e.Raw;
            sb.AppendLine(raw);
        }

        var extra = Diagnostics?.Invoke();
        if (!string.IsNullOrEmpty(extra))
        {
            sb.Append("--- ").Append(PeerName).AppendLine(" stderr / diagnostics:").AppendLine(extra);
        }

        return sb.ToString();
    }
}
