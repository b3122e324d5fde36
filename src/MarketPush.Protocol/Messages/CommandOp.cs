namespace MarketPush.Protocol.Messages;

/// <summary>The client commands of PROTOCOL.md ("Client to server").</summary>
public enum CommandOp : byte
{
    Subscribe = 0,
    Unsubscribe = 1,
    Ping = 2,
    Symbols = 3,
}
