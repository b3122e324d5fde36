using System.Globalization;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Encodings;

/// <summary>
/// The form in which a subscriber receives a channel's messages: its encoding (the subprotocol, JSON or MessagePack),
/// whether its frames are permessage-deflate compressed, and for the book channel its depth tier. Every subscriber of
/// one variant gets the same bytes, so the server encodes (and compresses) each update once per variant with at least
/// one subscriber (STYLE.md, "encode and compress once per update per wire variant").
/// </summary>
/// <remarks>
/// <para>
/// Deflate is on/off only: every deflate session is answered with <c>server_no_context_takeover</c> and the full
/// 15-bit window (<see cref="WebSockets.Deflate.DeflateOffer"/>), so no other negotiated parameter changes the bytes
/// the server sends. One encoded message carries both its plain and its compressed frame (the engine's
/// <c>OutboundMessage</c>), which is why the router groups subscribers by <see cref="WithoutDeflate"/>.
/// </para>
/// <para>
/// Why it lives here, below the engine: the router groups its subscribers by variant, the session stage builds
/// snapshots and picks frames by it, and metrics label sent frames by it; the session stage must not reference the
/// router (dependencies point down the data path), and metrics know no stage, so the one type all of them share sits
/// in the layer they all may use. A small immutable value, passed by value; nothing here allocates.
/// </para>
/// </remarks>
public readonly struct WireVariant : IEquatable<WireVariant>
{
    // A static array, not a collection expression in the getter (Debug builds allocate one per call for that).
    private static readonly WireEncoding[] s_encodings = [WireEncoding.Json, WireEncoding.MessagePack];

    /// <param name="bookDepth">Book levels per side (a <see cref="BookDepth"/> tier) for the book channel; 0 otherwise.</param>
    public WireVariant(WireEncoding encoding, bool deflate, int bookDepth = 0)
    {
        if (bookDepth != 0 && !Messages.BookDepth.IsValid(bookDepth))
        {
            throw new ArgumentOutOfRangeException(nameof(bookDepth), bookDepth, "Book depth must be 0 or one of 1, 5, 10, 20, 50.");
        }

        Encoding = encoding;
        Deflate = deflate;
        BookDepth = bookDepth;
    }

    /// <summary>Every encoding the server speaks, in the order per-encoding tables are laid out.</summary>
    public static ReadOnlySpan<WireEncoding> Encodings => s_encodings;

    public WireEncoding Encoding { get; }

    /// <summary>True when the subscriber negotiated permessage-deflate (large messages go out compressed).</summary>
    public bool Deflate { get; }

    /// <summary>Book levels per side for the book channel; 0 for quote, trade and status messages.</summary>
    public int BookDepth { get; }

    /// <summary>The frame opcode of this encoding: text for JSON, binary for MessagePack (PROTOCOL.md).</summary>
    public WebSocketOpcode Opcode => Encoding == WireEncoding.MessagePack ? WebSocketOpcode.Binary : WebSocketOpcode.Text;

    /// <summary>The same variant without compression: what one encoded message is built for (it carries both frames).</summary>
    public WireVariant WithoutDeflate => new(Encoding, deflate: false, BookDepth);

    /// <summary>The same encoding and compression at another book depth (0 for a quote, trade or status variant).</summary>
    public WireVariant WithBookDepth(int bookDepth) => new(Encoding, Deflate, bookDepth);

    public static bool operator ==(WireVariant left, WireVariant right) => left.Equals(right);

    public static bool operator !=(WireVariant left, WireVariant right) => !left.Equals(right);

    public bool Equals(WireVariant other) => Encoding == other.Encoding && Deflate == other.Deflate && BookDepth == other.BookDepth;

    public override bool Equals(object? obj) => obj is WireVariant other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Encoding, Deflate, BookDepth);

    public override string ToString() =>
        (Encoding == WireEncoding.MessagePack ? "msgpack" : "json") + (Deflate ? "+deflate" : string.Empty) + (BookDepth > 0 ? "@" + BookDepth.ToString(CultureInfo.InvariantCulture) : string.Empty);
}
