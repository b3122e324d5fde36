using System.Buffers;
using System.IO.Pipelines;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>
/// Stands in for Kestrel's upgraded stream: the test plays the client by writing into <see cref="SendFromClientAsync"/>,
/// and every read size and write the connection issues is recorded. Writes can be held at a gate to pile up frames.
/// Zero-byte reads behave like Kestrel's: they complete when data is there (or at EOF) and consume nothing.
/// </summary>
internal sealed class ScriptedStream : Stream
{
    private readonly Pipe _fromClient = new();
    private readonly Lock _lock = new();
    private readonly List<int> _readSizes = [];
    private readonly List<byte[]> _writes = [];

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

    public async Task SendFromClientAsync(byte[] bytes) => await _fromClient.Writer.WriteAsync(bytes);

    public void CloseFromClient() => _fromClient.Writer.Complete();

    public async Task WaitForAsync(Func<ScriptedStream, bool> condition, CancellationToken cancellationToken)
    {
        while (!condition(this))
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _readSizes.Add(buffer.Length);
        }

        ReadResult result = await _fromClient.Reader.ReadAsync(cancellationToken);
        ReadOnlySequence<byte> data = result.Buffer;
        int count = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        _fromClient.Reader.AdvanceTo(data.GetPosition(count));
        return count;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _writes.Add(buffer.ToArray());
        }

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
