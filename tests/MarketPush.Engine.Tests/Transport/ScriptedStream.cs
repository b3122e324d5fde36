using System.Buffers;
using System.IO.Pipelines;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>
/// Stands in for Kestrel's upgraded stream: the test plays the client by writing into <see cref="SendFromClientAsync"/>,
/// and every read size and write the connection issues is recorded. Writes can be held at a gate to pile up frames.
/// Zero-byte reads behave like Kestrel's: they complete when data is there (or at EOF) and consume nothing.
/// Every read issued, read returned and write signals <see cref="WaitForAsync"/>, so tests await what they wait for
/// instead of sleeping or polling.
/// </summary>
internal sealed class ScriptedStream : Stream
{
    private readonly Pipe _fromClient = new();
    private readonly Lock _lock = new();
    private readonly List<int> _readSizes = [];
    private readonly List<byte[]> _writes = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sentBytes;
    private long _readBytes;
    private int _pendingReads;

    public SemaphoreSlim? WriteGate { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public int[] ReadSizes
    {
        get
        {
            lock (_lock)
            {
                return [.. _readSizes];
            }
        }
    }

    public byte[][] Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    /// <summary>
    /// The connection's receive loop has taken every byte the client sent and waits in a read for more: whatever it
    /// does with those bytes (parse, answer, lend or return its frame reader) it did before reading again.
    /// </summary>
    public bool IsWaitingForClient
    {
        get
        {
            lock (_lock)
            {
                return _pendingReads > 0 && _readBytes == _sentBytes;
            }
        }
    }

    public async Task SendFromClientAsync(byte[] bytes)
    {
        lock (_lock)
        {
            _sentBytes += bytes.Length; // before the bytes are readable, so IsWaitingForClient never sees them as taken
        }

        await _fromClient.Writer.WriteAsync(bytes);
    }

    public void CloseFromClient() => _fromClient.Writer.Complete();

    /// <summary>Awaits the stream's own changes (reads and writes), checking <paramref name="condition"/> after each.</summary>
    public async Task WaitForAsync(Func<ScriptedStream, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits until <see cref="IsWaitingForClient"/>.</summary>
    public Task WaitForIdleReadAsync(CancellationToken cancellationToken) => WaitForAsync(s => s.IsWaitingForClient, cancellationToken);

    private void Changed()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult(); // outside the lock: continuations run asynchronously anyway, but nothing completes under it
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _readSizes.Add(buffer.Length);
            _pendingReads++;
        }

        Changed();
        try
        {
            ReadResult result = await _fromClient.Reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> data = result.Buffer;
            int count = (int)Math.Min(data.Length, buffer.Length);
            data.Slice(0, count).CopyTo(buffer.Span);
            _fromClient.Reader.AdvanceTo(data.GetPosition(count));
            lock (_lock)
            {
                _readBytes += count;
            }

            return count;
        }
        finally
        {
            lock (_lock)
            {
                _pendingReads--;
            }

            Changed();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _writes.Add(buffer.ToArray());
        }

        Changed();

        if (WriteGate is not null)
        {
            await WriteGate.WaitAsync(cancellationToken);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
