using System.Globalization;
using System.Text;

namespace MarketPush.LoadGen.Net;

/// <summary>
/// Parses the server's answer to the upgrade request (RFC 6455 §4.1, steps 1–6 of the client's checks; RFC 7692 §5 for
/// the extension). Called once per connection by its I/O worker with the bytes up to and including the blank line;
/// allocates a few strings, which is fine once per connection and never per message.
/// </summary>
internal static class HandshakeResponse
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>Length of the response head including the blank line, or -1 when it is not complete yet.</summary>
    public static int FindHeadLength(ReadOnlySpan<byte> received)
    {
        int at = received.IndexOf(HeaderEnd);
        return at < 0 ? -1 : at + HeaderEnd.Length;
    }

    /// <summary>
    /// Checks the status line, the Upgrade/Connection headers and Sec-WebSocket-Accept, and whether permessage-deflate
    /// was agreed. <paramref name="status"/> is the HTTP status (0 when the status line is not HTTP).
    /// </summary>
    public static UpgradeOutcome Parse(ReadOnlySpan<byte> head, string expectedAccept, bool offeredDeflate, out int status, out bool deflate)
    {
        ArgumentNullException.ThrowIfNull(expectedAccept);
        status = 0;
        deflate = false;
        string text = Encoding.Latin1.GetString(head);
        string[] lines = text.Split("\r\n");
        string[] statusLine = lines[0].Split(' ', 3);
        if (statusLine.Length < 2 || !statusLine[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(statusLine[1], NumberStyles.None, CultureInfo.InvariantCulture, out status))
        {
            status = 0;
            return UpgradeOutcome.Invalid;
        }

        if (status != 101)
        {
            return UpgradeOutcome.Refused;
        }

        bool upgrade = false;
        bool connection = false;
        bool accept = false;
        string? extensions = null;
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
            {
                upgrade = value.Equals("websocket", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                connection = value.Split(',').Any(token => token.Trim().Equals("Upgrade", StringComparison.OrdinalIgnoreCase));
            }
            else if (name.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase))
            {
                accept = value == expectedAccept;
            }
            else if (name.Equals("Sec-WebSocket-Extensions", StringComparison.OrdinalIgnoreCase))
            {
                extensions = extensions is null ? value : extensions + ", " + value;
            }
        }

        if (!upgrade || !connection || !accept)
        {
            return UpgradeOutcome.Invalid;
        }

        if (extensions is null)
        {
            return UpgradeOutcome.Upgraded;
        }

        string[] parameters = extensions.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!offeredDeflate || parameters.Length == 0 || parameters[0] != "permessage-deflate")
        {
            // An extension we did not offer: RFC 6455 §4.1 says fail the connection.
            return UpgradeOutcome.Invalid;
        }

        if (!parameters.Any(p => p == "server_no_context_takeover"))
        {
            return UpgradeOutcome.UnsupportedDeflate;
        }

        deflate = true;
        return UpgradeOutcome.Upgraded;
    }
}
