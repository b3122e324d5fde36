using System.Security.Cryptography;
using System.Text;

namespace MarketPush.Protocol.Handshake;

/// <summary>
/// The Sec-WebSocket-Key / Sec-WebSocket-Accept pair of RFC 6455 §4.2.1 item 5 and §4.2.2 item 5.4. Called once per
/// handshake by the transport (through <see cref="HandshakeValidator"/> for the key check); pure and thread-safe.
/// </summary>
public static class WebSocketAccept
{
    private const int KeyLength = 24; // base64 of 16 bytes: 22 characters and "=="

    private static ReadOnlySpan<byte> Rfc6455Guid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary>base64(SHA-1(key + the RFC 6455 GUID)); the key is used as sent, without trimming or decoding.</summary>
    public static string ComputeAcceptKey(string secWebSocketKey)
    {
        ArgumentNullException.ThrowIfNull(secWebSocketKey);
        int maxLength = Encoding.UTF8.GetMaxByteCount(secWebSocketKey.Length) + Rfc6455Guid.Length;
        Span<byte> buffer = maxLength <= 256 ? stackalloc byte[256] : new byte[maxLength];
        int length = Encoding.UTF8.GetBytes(secWebSocketKey, buffer);
        Rfc6455Guid.CopyTo(buffer.Slice(length));
        length += Rfc6455Guid.Length;

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 here; the hash proves the server read the handshake, it protects nothing.
        SHA1.HashData(buffer.Slice(0, length), hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    /// <summary>
    /// Whether the key is base64 that decodes to exactly 16 bytes (§4.2.1 item 5). Stricter than
    /// <see cref="Convert.TryFromBase64String"/>: no whitespace anywhere, and exactly 24 characters.
    /// </summary>
    public static bool IsValidClientKey(string? key)
    {
        if (key is null || key.Length != KeyLength || key[22] != '=' || key[23] != '=')
        {
            return false;
        }

        for (int i = 0; i < 22; i++)
        {
            char c = key[i];
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        Span<byte> decoded = stackalloc byte[18];
        return Convert.TryFromBase64String(key, decoded, out int written) && written == 16;
    }
}
