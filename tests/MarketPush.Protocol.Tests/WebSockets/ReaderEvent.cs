using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>One observed <see cref="MessageReader.Read"/> outcome, copied out so it outlives the reader's buffers.</summary>
internal sealed class ReaderEvent : IEquatable<ReaderEvent>
{
    public ReaderEvent(MessageReadStatus status, WebSocketOpcode opcode, byte[] payload, ushort closeCode)
    {
        Status = status;
        Opcode = opcode;
        Payload = payload;
        CloseCode = closeCode;
    }

    public MessageReadStatus Status { get; }

    /// <summary>Only set for <see cref="MessageReadStatus.Message"/>.</summary>
    public WebSocketOpcode Opcode { get; }

    public byte[] Payload { get; }

    /// <summary>Only set for Close and ProtocolViolation.</summary>
    public ushort CloseCode { get; }

    public static ReaderEvent Capture(MessageReadStatus status, MessageReader reader) => new(
        status,
        status == MessageReadStatus.Message ? reader.MessageOpcode : default,
        reader.Payload.ToArray(),
        status is MessageReadStatus.Close or MessageReadStatus.ProtocolViolation ? reader.CloseCode : (ushort)0);

    public static ReaderEvent Message(WebSocketOpcode opcode, byte[] payload) => new(MessageReadStatus.Message, opcode, payload, 0);

    public static ReaderEvent Text(string text) => Message(WebSocketOpcode.Text, System.Text.Encoding.UTF8.GetBytes(text));

    public static ReaderEvent Ping(byte[] payload) => new(MessageReadStatus.Ping, default, payload, 0);

    public static ReaderEvent Pong(byte[] payload) => new(MessageReadStatus.Pong, default, payload, 0);

    public static ReaderEvent Close(ushort code, byte[] reason) => new(MessageReadStatus.Close, default, reason, code);

    public static ReaderEvent Violation(ushort code) => new(MessageReadStatus.ProtocolViolation, default, [], code);

    public bool Equals(ReaderEvent? other) =>
        other is not null && Status == other.Status && Opcode == other.Opcode && CloseCode == other.CloseCode &&
        Payload.AsSpan().SequenceEqual(other.Payload);

    public override bool Equals(object? obj) => Equals(obj as ReaderEvent);

    public override int GetHashCode() => HashCode.Combine(Status, Opcode, CloseCode, Payload.Length);

    public override string ToString()
    {
        string preview = Convert.ToHexString(Payload.AsSpan(0, Math.Min(Payload.Length, 24)));
        return $"{Status} {Opcode} code={CloseCode} len={Payload.Length} [{preview}{(Payload.Length > 24 ? "..." : "")}]";
    }
}
