using System.Globalization;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// permessage-deflate negotiation (RFC 7692 §5 and §7.1) for the upgrade handshake: reads the client's
/// Sec-WebSocket-Extensions offers and returns the response header value. Called once per handshake by the transport,
/// off the hot path; pure and thread-safe.
/// <para>
/// The server's answer is always <c>server_no_context_takeover</c> (each message is compressed on its own, once, for
/// every subscriber) plus <c>client_no_context_takeover</c> (allowed by §7.1.1.2; it makes client messages inflate
/// statelessly, so no connection keeps deflate state). What the real clients offer, captured in 2025-11: Chromium 156,
/// Python websockets 10.4, node ws 8.23 and .NET 10 ClientWebSocket with default options all send
/// <c>permessage-deflate; client_max_window_bits</c>; ClientWebSocket sends
/// <c>client_max_window_bits=N</c> / <c>server_max_window_bits=N</c> only for values other than 15.
/// </para>
/// </summary>
public static class DeflateOffer
{
    /// <summary>The extension token (RFC 7692 §7).</summary>
    public const string ExtensionName = "permessage-deflate";

    private const string BaseResponse = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    private const int MinWindowBits = 8;
    private const int MaxWindowBits = 15;

    /// <summary>
    /// RFC 7692 §7.1: walk the offers in order (several header values, each a comma-separated list) and accept the
    /// first one the server can honour. An offer is skipped when it has an unknown or duplicated parameter, a malformed
    /// value, or <c>server_max_window_bits</c> below 15 (the compressor always uses DEFLATE's full 32 KiB window, and
    /// one compressed frame serves every subscriber). Other extensions are skipped. With nothing acceptable the method
    /// returns false and the connection goes on uncompressed.
    /// </summary>
    /// <param name="extensionHeaderValues">Every Sec-WebSocket-Extensions value of the request; null or empty entries are ignored.</param>
    /// <param name="accepted">The agreed parameters when the method returns true.</param>
    /// <param name="responseHeaderValue">The Sec-WebSocket-Extensions value to answer with when true; empty when false.</param>
    public static bool TryNegotiate(IEnumerable<string?> extensionHeaderValues, out DeflateParameters accepted, out string responseHeaderValue)
    {
        ArgumentNullException.ThrowIfNull(extensionHeaderValues);
        foreach (string? header in extensionHeaderValues)
        {
            if (string.IsNullOrEmpty(header))
            {
                continue;
            }

            int position = 0;
            while (position < header.Length)
            {
                Offer offer = ReadOffer(header, ref position);
                if (offer.IsDeflate && offer.IsAcceptable)
                {
                    accepted = new DeflateParameters(
                        ClientNoContextTakeover: true,
                        ClientMaxWindowBits: offer.ClientMaxWindowBits > 0 ? offer.ClientMaxWindowBits : MaxWindowBits,
                        ServerMaxWindowBits: MaxWindowBits);
                    responseHeaderValue = BuildResponse(offer);
                    return true;
                }
            }
        }

        accepted = default;
        responseHeaderValue = string.Empty;
        return false;
    }

    private static string BuildResponse(in Offer offer)
    {
        string response = BaseResponse;

        // §7.1.2.1: a server accepts an offer carrying server_max_window_bits by answering with that parameter
        // (same or smaller value); the offer can only have said 15 here.
        if (offer.HasServerMaxWindowBits)
        {
            response += "; server_max_window_bits=15";
        }

        // §7.1.2.2 makes echoing client_max_window_bits optional, but .NET's ClientWebSocket fails the handshake
        // ("client requested 10 but the server responded with 15") when an offered value is not echoed. Inflation
        // handles any window up to 15, so echoing the client's own value costs nothing.
        if (offer.ClientMaxWindowBits > 0)
        {
            response += "; client_max_window_bits=" + offer.ClientMaxWindowBits.ToString(CultureInfo.InvariantCulture);
        }

        return response;
    }

    /// <summary>
    /// Reads one list element (RFC 6455 §9.1: <c>extension-token *( ";" extension-param )</c>) starting at
    /// <paramref name="position"/> and leaves <paramref name="position"/> after the comma that ends it. A syntax error
    /// makes the element unacceptable and resynchronises at the next comma outside a quoted string.
    /// </summary>
    private static Offer ReadOffer(string header, ref int position)
    {
        var offer = default(Offer);
        SkipWhitespace(header, ref position);
        ReadOnlySpan<char> name = ReadToken(header, ref position);
        if (name.IsEmpty)
        {
            // An empty element (", ,", allowed by the #rule) or junk: neither is an offer.
            SkipPastElement(header, ref position);
            return offer;
        }

        offer.IsDeflate = name.Equals(ExtensionName, StringComparison.OrdinalIgnoreCase);
        while (true)
        {
            SkipWhitespace(header, ref position);
            if (position == header.Length)
            {
                return offer;
            }

            if (header[position] == ',')
            {
                position++;
                return offer;
            }

            if (header[position] != ';' || !TryReadParameter(header, ref position, ref offer))
            {
                offer.IsMalformed = true;
                SkipPastElement(header, ref position);
                return offer;
            }
        }
    }

    /// <summary>Reads <c>";" OWS token [ OWS "=" OWS ( token / quoted-string ) ]</c>; false on a syntax error.</summary>
    private static bool TryReadParameter(string header, ref int position, ref Offer offer)
    {
        position++; // ';'
        SkipWhitespace(header, ref position);
        ReadOnlySpan<char> name = ReadToken(header, ref position);
        if (name.IsEmpty)
        {
            return false;
        }

        SkipWhitespace(header, ref position);
        bool hasValue = false;
        ReadOnlySpan<char> rawValue = default;
        bool quoted = false;
        if (position < header.Length && header[position] == '=')
        {
            position++;
            SkipWhitespace(header, ref position);
            hasValue = true;
            if (position < header.Length && header[position] == '"')
            {
                quoted = true;
                if (!TryReadQuotedString(header, ref position, out rawValue))
                {
                    return false;
                }
            }
            else
            {
                rawValue = ReadToken(header, ref position);
                if (rawValue.IsEmpty)
                {
                    return false;
                }
            }
        }

        if (offer.IsDeflate)
        {
            offer.Apply(name, hasValue, hasValue ? ParseWindowBits(rawValue, quoted) : -1);
        }

        return true;
    }

    /// <summary>
    /// A window-bits value (§7.1.2): a decimal integer 8..15 without leading zeroes; in a quoted string it is
    /// read after unescaping (§7.1: the unescaped value must be a token). Returns -1 when the value is not one.
    /// </summary>
    private static int ParseWindowBits(ReadOnlySpan<char> raw, bool quoted)
    {
        int value = 0;
        int digits = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (quoted && c == '\\')
            {
                c = raw[++i]; // TryReadQuotedString guarantees an escaped character follows
            }

            if (!char.IsAsciiDigit(c) || (digits == 0 && c == '0') || ++digits > 2)
            {
                return -1;
            }

            value = (value * 10) + (c - '0');
        }

        return value is >= MinWindowBits and <= MaxWindowBits ? value : -1;
    }

    /// <summary>Reads a quoted-string starting at its opening quote; <paramref name="content"/> is still escaped.</summary>
    private static bool TryReadQuotedString(string header, scoped ref int position, out ReadOnlySpan<char> content)
    {
        int start = position + 1;
        for (int i = start; i < header.Length; i++)
        {
            char c = header[i];
            if (c == '\\')
            {
                i++;
                continue;
            }

            if (c == '"')
            {
                content = header.AsSpan(start, i - start);
                position = i + 1;
                return true;
            }
        }

        content = default;
        position = header.Length;
        return false;
    }

    private static ReadOnlySpan<char> ReadToken(string header, scoped ref int position)
    {
        int start = position;
        while (position < header.Length && IsTokenChar(header[position]))
        {
            position++;
        }

        return header.AsSpan(start, position - start);
    }

    /// <summary>Skips to just after the next comma that is not inside a quoted string, or to the end.</summary>
    private static void SkipPastElement(string header, ref int position)
    {
        bool inQuotes = false;
        while (position < header.Length)
        {
            char c = header[position++];
            if (inQuotes && c == '\\')
            {
                position++;
            }
            else if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c == ',' && !inQuotes)
            {
                return;
            }
        }
    }

    private static void SkipWhitespace(string header, ref int position)
    {
        while (position < header.Length && header[position] is ' ' or '\t')
        {
            position++;
        }
    }

    /// <summary>RFC 7230 §3.2.6 tchar.</summary>
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    /// <summary>What one permessage-deflate offer asked for, and whether the server can honour it.</summary>
    private struct Offer
    {
        public bool IsDeflate;
        public bool IsMalformed;
        public bool IsUnacceptable;
        public bool HasServerNoContextTakeover;
        public bool HasClientNoContextTakeover;
        public bool HasServerMaxWindowBits;
        public bool HasClientMaxWindowBits;

        /// <summary>The value given with client_max_window_bits; 0 when absent or given without a value.</summary>
        public int ClientMaxWindowBits;

        public readonly bool IsAcceptable => !IsMalformed && !IsUnacceptable;

        /// <summary>
        /// Applies one parameter (§7.1: names are matched case-insensitively here, as HTTP tokens usually are).
        /// <paramref name="windowBits"/> is the parsed value or -1.
        /// </summary>
        public void Apply(ReadOnlySpan<char> name, bool hasValue, int windowBits)
        {
            if (name.Equals("server_no_context_takeover", StringComparison.OrdinalIgnoreCase))
            {
                // §7.1.1.1: no value; §7.1: a duplicated parameter declines the offer.
                IsUnacceptable |= hasValue || HasServerNoContextTakeover;
                HasServerNoContextTakeover = true;
            }
            else if (name.Equals("client_no_context_takeover", StringComparison.OrdinalIgnoreCase))
            {
                IsUnacceptable |= hasValue || HasClientNoContextTakeover;
                HasClientNoContextTakeover = true;
            }
            else if (name.Equals("server_max_window_bits", StringComparison.OrdinalIgnoreCase))
            {
                // §7.1.2.1: a value is required. Below 15 is valid but cannot be honoured: the one shared compressed
                // frame is made with a 32 KiB window.
                IsUnacceptable |= HasServerMaxWindowBits || windowBits != MaxWindowBits;
                HasServerMaxWindowBits = true;
            }
            else if (name.Equals("client_max_window_bits", StringComparison.OrdinalIgnoreCase))
            {
                // §7.1.2.2: the value is optional; any valid one is fine, inflation handles every window up to 15.
                IsUnacceptable |= HasClientMaxWindowBits || (hasValue && windowBits < 0);
                HasClientMaxWindowBits = true;
                ClientMaxWindowBits = hasValue && windowBits > 0 ? windowBits : 0;
            }
            else
            {
                // §7.1: an offer with an unknown parameter must be declined.
                IsUnacceptable = true;
            }
        }
    }
}
