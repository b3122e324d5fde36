using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Benchmarks;

/// <summary>
/// One real <see cref="Connection"/> (receive loop, send loop, finish) over in-memory pipes instead of a socket: the
/// send loop writes into <see cref="Wire"/>'s pipe exactly as it writes into Kestrel's socket-transport output pipe,
/// and the benchmark reads it where the transport's sender would. The input pipe is never written: the receive loop
/// waits on it, and completing it (EOF) at <see cref="DisposeAsync"/> ends the connection as a client going away
/// does. Created in benchmark setup; <see cref="ReadExactly"/> from the benchmark thread only.
/// </summary>
/// <remarks>
/// Only the send loop's socket path is out of reach here (it needs a Kestrel socket connection); the pipe path is the
/// one every connection takes for its first batch and the one upgrades through the HTTP pipeline always take.
/// The pipes use inline schedulers, no synchronization context and a block pool that keeps every block
/// (<see cref="TransportBlockPool"/>), like Kestrel's transport pipes; the benchmark
/// consumes everything each operation, so a flush never waits for room.
/// </remarks>
internal sealed class InMemoryConnection : IAsyncDisposable
{
    private static readonly PipeOptions s_pipeOptions = new(
        pool: new TransportBlockPool(),
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    private static long s_nextId;

    private readonly Pipe _input = new(s_pipeOptions);
    private readonly Pipe _output = new(s_pipeOptions);
    private readonly Task _run;

    public InMemoryConnection(StreamServer server, WireEncoding encoding, bool compression)
    {
        ArgumentNullException.ThrowIfNull(server);
        Session = new Session(Session.CreateId(), encoding, compression, new OutboundQueue(), server.Frames);
        Connection connection = CreateConnection(server, Session, _input.Reader, _output.Writer);
        _run = connection.RunAsync();
    }

    public Session Session { get; }

    /// <summary>What the connection wrote, as the socket transport's sender would read it.</summary>
    public PipeReader Wire => _output.Reader;

    /// <summary>
    /// Waits (spinning: the send loop runs on a pool thread) until the connection has written
    /// <paramref name="bytes"/> bytes, then consumes them. Throws if it wrote more, or if it ended.
    /// </summary>
    public void ReadExactly(long bytes)
    {
        PipeReader wire = _output.Reader;
        var spin = default(SpinWait);
        while (true)
        {
            if (wire.TryRead(out ReadResult read))
            {
                long length = read.Buffer.Length;
                if (length == bytes)
                {
                    wire.AdvanceTo(read.Buffer.End);
                    return;
                }

                wire.AdvanceTo(read.Buffer.Start, read.Buffer.End);
                if (length > bytes || read.IsCompleted || read.IsCanceled)
                {
                    ThrowUnexpected(length, bytes);
                }
            }
            else if (_run.IsCompleted)
            {
                ThrowUnexpected(0, bytes);
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Ends the connection as a client that went away (EOF) and waits until it has finished.</summary>
    public async ValueTask DisposeAsync()
    {
        await _input.Writer.CompleteAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        await _output.Reader.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A transport built the way the composition root builds one, minus market data: frame builder, server messages,
    /// a command handler, the session factory, then the <see cref="StreamServer"/> whose connection services every
    /// <see cref="InMemoryConnection"/> uses.
    /// </summary>
    public static StreamServer CreateServer(StreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var frames = new FrameBuilder(new FramePool(), options.CompressionThresholdBytes);
        var messages = new ServerMessages(frames, options.HeartbeatMs);
        var commands = new CommandHandler(messages);
        var sessions = new SessionFactory(frames, messages, commands, options.QueueMaxFrames, options.QueueMaxBytes);
        return new StreamServer(options, frames, sessions, NullLoggerFactory.Instance);
    }

    /// <summary>
    /// The one place that knows how a <see cref="Connection"/> is built, so a change of its constructor is one edit
    /// here; what Abort tears down is a plain connection context over the same pipes.
    /// </summary>
    private static Connection CreateConnection(StreamServer server, Session session, PipeReader input, PipeWriter output)
    {
        var transport = new DefaultConnectionContext(
            "bench-" + Interlocked.Increment(ref s_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture),
            new DuplexPipe(input, output),
            new DuplexPipe(input, output));
        return new Connection(input, output, transport, session, server.ConnectionServices, deflate: false, NullLogger.Instance);
    }

    [DoesNotReturn]
    private static void ThrowUnexpected(long written, long expected) =>
        throw new InvalidOperationException($"The connection wrote {written} B where {expected} B were expected, or it ended.");

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
