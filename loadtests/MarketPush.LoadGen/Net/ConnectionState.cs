namespace MarketPush.LoadGen.Net;

/// <summary>Where one simulated client is in its life; only its <see cref="IoWorker"/> reads or changes it.</summary>
internal enum ConnectionState
{
    /// <summary>Waiting for its turn to connect (the worker limits handshakes in flight) or for a retry.</summary>
    Pending,

    /// <summary>Non-blocking connect() issued, waiting for EPOLLOUT.</summary>
    Connecting,

    /// <summary>Upgrade request sent, reading the HTTP response.</summary>
    Handshaking,

    /// <summary>WebSocket open: reading frames (welcome, subscribed, quotes).</summary>
    Open,

    /// <summary>A slow reader: stopped reading on purpose; only a hang-up is watched.</summary>
    Slow,

    /// <summary>A slow reader the server hung up on: reading the backlog to find the close code.</summary>
    SlowDraining,

    /// <summary>The runner sent a close frame and waits for the server's.</summary>
    Closing,

    /// <summary>Close frames exchanged; waiting for the server to close TCP first (so TIME_WAIT stays on its side).</summary>
    AwaitingEof,

    /// <summary>Socket closed; the slot may be reused.</summary>
    Closed,
}
