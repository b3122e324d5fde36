namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// The permessage-deflate parameters one connection agreed on in its handshake (RFC 7692 §7.1), produced by
/// <see cref="DeflateOffer.TryNegotiate"/>. The server side is fixed (no context takeover, 15 window bits), so the
/// only thing that differs between connections is what the client said about its own compressor; none of it
/// changes how the server compresses, which is why every compressed subscriber can share one frame.
/// </summary>
/// <param name="ClientNoContextTakeover">Always true when negotiated: the server requests it, so client messages inflate statelessly.</param>
/// <param name="ClientMaxWindowBits">The window the client compresses with: the value it offered, or 15.</param>
/// <param name="ServerMaxWindowBits">The window the server compresses with; always 15 (32 KiB, DEFLATE's largest).</param>
public readonly record struct DeflateParameters(bool ClientNoContextTakeover, int ClientMaxWindowBits, int ServerMaxWindowBits);
