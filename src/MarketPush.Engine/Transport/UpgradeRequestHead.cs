using System.Buffers;
using System.Text;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The head of an HTTP/1.1 request as the direct upgrade path reads it off a fresh connection, before Kestrel's HTTP
/// parser sees it: a "need more" parser over the buffered bytes (<see cref="TryParse"/>) and, once the head is
/// complete, the WebSocket header values <see cref="UpgradeDecision.Negotiate"/> needs. Used by
/// <see cref="DirectUpgradeMiddleware"/> on the connection's first reads only; one instance per handshake.
/// </summary>
/// <remarks>
/// Deliberately narrower than HTTP/1.1: it recognises only <c>GET &lt;path&gt;[?query] HTTP/1.1</c> with plain
/// visible-ASCII headers, exactly one Host, no body headers, no obs-fold, at most <see cref="MaxHeaderCount"/>
/// headers. Anything else (another method or path, HTTP/1.0, absolute-form targets, percent-encoded paths, odd bytes,
/// a head over the size cap) is <see cref="UpgradeRequestStatus.NotDirect"/>: the connection goes to Kestrel untouched
/// and is answered there exactly as before, so the shortcut can never accept what the HTTP pipeline would refuse.
/// </remarks>
internal sealed class UpgradeRequestHead
{
    /// <summary>Kestrel's default MaxRequestHeaderCount; more headers go to Kestrel, which answers 431.</summary>
    public const int MaxHeaderCount = 100;

    private static readonly string?[] s_none = [];
    private static readonly SearchValues<byte> s_tokenBytes =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // RFC 3986 query characters (pchar / "/" / "?"); the path itself must equal the endpoint path byte for byte.
    private static readonly SearchValues<byte> s_queryBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%"u8);

    private static readonly SearchValues<byte> s_hostBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._:[]"u8);

    private List<string?>? _upgrade;
    private List<string?>? _connection;
    private List<string?>? _key;
    private List<string?>? _version;
    private List<string?>? _protocol;
    private List<string?>? _extensions;

    private UpgradeRequestHead()
    {
    }

    public IEnumerable<string?> Upgrade => _upgrade ?? (IEnumerable<string?>)s_none;

    public IEnumerable<string?> Connection => _connection ?? (IEnumerable<string?>)s_none;

    public IEnumerable<string?> SecWebSocketKey => _key ?? (IEnumerable<string?>)s_none;

    public IEnumerable<string?> SecWebSocketVersion => _version ?? (IEnumerable<string?>)s_none;

    public IEnumerable<string?> SecWebSocketProtocol => _protocol ?? (IEnumerable<string?>)s_none;

    public IEnumerable<string?> SecWebSocketExtensions => _extensions ?? (IEnumerable<string?>)s_none;

    /// <summary>
    /// Looks at the bytes received so far. <paramref name="requestLinePrefix"/> is <c>GET &lt;path&gt;</c> in ASCII:
    /// a request that cannot start with it is <see cref="UpgradeRequestStatus.NotDirect"/> after its first bytes,
    /// without waiting for its headers. On <see cref="UpgradeRequestStatus.Complete"/>, <paramref name="headEnd"/> is
    /// the position just past the blank line (frames the client sent early stay after it).
    /// </summary>
    public static UpgradeRequestStatus TryParse(
        in ReadOnlySequence<byte> buffer,
        ReadOnlySpan<byte> requestLinePrefix,
        int maxHeadBytes,
        out UpgradeRequestHead? head,
        out SequencePosition headEnd)
    {
        head = null;
        headEnd = buffer.Start;

        // Early refusal from the request line's start: "GET /v1/stream" then ' ' or '?'.
        if (requestLinePrefix.Length >= 256)
        {
            return UpgradeRequestStatus.NotDirect;
        }

        Span<byte> start = stackalloc byte[requestLinePrefix.Length + 1];
        int available = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, available).CopyTo(start);
        int compared = Math.Min(available, requestLinePrefix.Length);
        if (!start[..compared].SequenceEqual(requestLinePrefix[..compared])
            || (available > requestLinePrefix.Length && start[requestLinePrefix.Length] is not ((byte)' ' or (byte)'?')))
        {
            return UpgradeRequestStatus.NotDirect;
        }

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headBytes, "\r\n\r\n"u8, advancePastDelimiter: true))
        {
            return buffer.Length > maxHeadBytes ? UpgradeRequestStatus.NotDirect : UpgradeRequestStatus.NeedMoreData;
        }

        if (headBytes.Length + 4 > maxHeadBytes)
        {
            return UpgradeRequestStatus.NotDirect;
        }

        int length = (int)headBytes.Length + 2; // keep the last header line's CRLF: every line ends with one
        // A head within the first pool block (the usual case) is parsed in place; a longer one is copied once.
        byte[]? rented = buffer.First.Length >= length ? null : ArrayPool<byte>.Shared.Rent(length);
        try
        {
            ReadOnlySpan<byte> span;
            if (rented is null)
            {
                span = buffer.FirstSpan[..length];
            }
            else
            {
                buffer.Slice(0, length).CopyTo(rented);
                span = rented.AsSpan(0, length);
            }

            var parsed = new UpgradeRequestHead();
            if (!parsed.Parse(span, requestLinePrefix))
            {
                return UpgradeRequestStatus.NotDirect;
            }

            head = parsed;
            headEnd = reader.Position;
            return UpgradeRequestStatus.Complete;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Request line and header lines, each ending in CRLF (the blank line excluded).</summary>
    private bool Parse(ReadOnlySpan<byte> head, ReadOnlySpan<byte> requestLinePrefix)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        if (!IsDirectRequestLine(head[..lineEnd], requestLinePrefix))
        {
            return false;
        }

        head = head[(lineEnd + 2)..];
        int hosts = 0;
        int count = 0;
        while (!head.IsEmpty)
        {
            lineEnd = head.IndexOf("\r\n"u8);
            ReadOnlySpan<byte> line = head[..lineEnd];
            head = head[(lineEnd + 2)..];
            if (++count > MaxHeaderCount)
            {
                return false;
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].ContainsAnyExcept(s_tokenBytes))
            {
                // Also catches obs-fold (a line starting with SP or HT) and bare CR/LF inside a line.
                return false;
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            foreach (byte b in value)
            {
                if (b is < 0x20 and not (byte)'\t' or > 0x7E)
                {
                    return false;
                }
            }

            if (Is(name, "Host"u8))
            {
                if (++hosts > 1 || value.IsEmpty || value.ContainsAnyExcept(s_hostBytes))
                {
                    return false;
                }
            }
            else if (Is(name, "Content-Length"u8) || Is(name, "Transfer-Encoding"u8))
            {
                // A request with a body cannot be upgraded; Kestrel refuses it.
                return false;
            }
            else if (Is(name, "Upgrade"u8))
            {
                Add(ref _upgrade, value);
            }
            else if (Is(name, "Connection"u8))
            {
                Add(ref _connection, value);
            }
            else if (Is(name, "Sec-WebSocket-Key"u8))
            {
                Add(ref _key, value);
            }
            else if (Is(name, "Sec-WebSocket-Version"u8))
            {
                Add(ref _version, value);
            }
            else if (Is(name, "Sec-WebSocket-Protocol"u8))
            {
                Add(ref _protocol, value);
            }
            else if (Is(name, "Sec-WebSocket-Extensions"u8))
            {
                Add(ref _extensions, value);
            }
        }

        // HTTP/1.1 requires exactly one Host (RFC 9112 §3.2); Kestrel answers 400 without one.
        return hosts == 1;
    }

    private static bool IsDirectRequestLine(ReadOnlySpan<byte> line, ReadOnlySpan<byte> requestLinePrefix)
    {
        ReadOnlySpan<byte> version = " HTTP/1.1"u8;
        if (!line.StartsWith(requestLinePrefix) || !line.EndsWith(version))
        {
            return false;
        }

        ReadOnlySpan<byte> rest = line[requestLinePrefix.Length..^version.Length];
        return rest.IsEmpty || (rest[0] == (byte)'?' && !rest[1..].ContainsAnyExcept(s_queryBytes));
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> expected) => Ascii.EqualsIgnoreCase(name, expected);

    private static void Add(ref List<string?>? values, ReadOnlySpan<byte> value) =>
        (values ??= new List<string?>(1)).Add(Encoding.ASCII.GetString(value));
}
