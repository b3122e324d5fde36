using System.Buffers;
using System.Reflection;
using MarketPush.Engine.Buffers;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Encodings.MessagePack;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// Builds the session-level server messages of PROTOCOL.md that are not market data: <c>welcome</c>, <c>pong</c>,
/// <c>error</c> and <c>heartbeat</c>, each as a ready <see cref="SharedFrame"/> in the session's encoding (text frame
/// with a JSON object, or binary frame with the same map in MessagePack), using the Protocol project's
/// <see cref="IMarketMessageWriter"/>s. Called from receive loops (replies), the endpoint (welcome) and the keepalive
/// timer (heartbeat); stateless apart from the clock and a per-thread scratch buffer, any thread.
/// </summary>
public sealed class ServerMessages
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly FrameBuilder _frames;
    private readonly TimeProvider _time;

    public ServerMessages(FrameBuilder frames, int heartbeatMs, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(frames);
        _frames = frames;
        HeartbeatMs = heartbeatMs;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary><c>marketpush/&lt;version&gt;</c>, from the engine assembly's informational version (build metadata cut).</summary>
    public static string ServerName { get; } = "marketpush/" + GetVersion();

    public int HeartbeatMs { get; }

    /// <summary>Microseconds since the Unix epoch, the unit of every <c>ts</c> field.</summary>
    public long NowMicroseconds => (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>{"type":"welcome","session","server","heartbeatMs","encoding","compression"}: first message on every connection.</summary>
    public SharedFrame BuildWelcome(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArrayBufferWriter<byte> buffer = RentBuffer();
        WriterFor(session.Encoding).WriteWelcome(
            buffer,
            session.Id,
            ServerName,
            HeartbeatMs,
            session.Encoding == WireEncoding.MessagePack ? "msgpack" : "json",
            session.Compression);
        return Frame(session.Encoding, buffer);
    }

    /// <summary>{"type":"pong","id"?,"ts"}: the reply to the <c>ping</c> op.</summary>
    public SharedFrame BuildPong(WireEncoding encoding, long? id)
    {
        ArrayBufferWriter<byte> buffer = RentBuffer();
        WriterFor(encoding).WritePong(buffer, id, NowMicroseconds);
        return Frame(encoding, buffer);
    }

    /// <summary>{"type":"error","id"?,"code","message"}; the id is present whenever the command had a valid one.</summary>
    public SharedFrame BuildError(WireEncoding encoding, long? id, string code, string message)
    {
        ArrayBufferWriter<byte> buffer = RentBuffer();
        WriterFor(encoding).WriteError(buffer, id, code, message);
        return Frame(encoding, buffer);
    }

    /// <summary>{"type":"heartbeat","ts"}: sent when no data message went out for heartbeatMs (browsers cannot see pings).</summary>
    public SharedFrame BuildHeartbeat(WireEncoding encoding)
    {
        ArrayBufferWriter<byte> buffer = RentBuffer();
        WriterFor(encoding).WriteHeartbeat(buffer, NowMicroseconds);
        return Frame(encoding, buffer);
    }

    /// <summary>The message writer of an encoding (both are stateless singletons).</summary>
    public static IMarketMessageWriter WriterFor(WireEncoding encoding) =>
        encoding == WireEncoding.MessagePack ? MessagePackMessageWriter.Instance : JsonMessageWriter.Instance;

    // One scratch buffer per thread: a message is written and copied into its pooled frame within one synchronous
    // call, so nothing but the frame survives it and steady state allocates nothing.
    private static ArrayBufferWriter<byte> RentBuffer()
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private SharedFrame Frame(WireEncoding encoding, ArrayBufferWriter<byte> buffer)
    {
        SharedFrame frame = _frames.BuildFrame(encoding == WireEncoding.MessagePack ? WebSocketOpcode.Binary : WebSocketOpcode.Text, buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        return frame;
    }

    private static string GetVersion()
    {
        Assembly assembly = typeof(ServerMessages).Assembly;
        string? version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3);
        if (string.IsNullOrEmpty(version))
        {
            return "0.0.0";
        }

        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
