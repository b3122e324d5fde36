namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// The 4-bit frame opcode of RFC 6455 §5.2. Values 0x3–0x7 and 0xB–0xF are reserved: the reader turns them into
/// a 1002 violation before they can reach this enum's consumers, so every value seen past the reader is one of these.
/// </summary>
public enum WebSocketOpcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}
