namespace MarketPush.Engine.Transport;

/// <summary>How a connection's send loop writes: straight to the socket once the output pipe has drained, or always through the pipe.</summary>
public enum SocketWriteMode
{
    Socket,
    Pipe,
}
