using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Metrics;

/// <summary>
/// Tag sets built once per label value, so recording passes a cached array and allocates nothing: a
/// <c>KeyValuePair&lt;string, object?&gt;</c> holding a string boxes nothing, and an existing array is passed as a span.
/// Read-only after the static constructor; shared by every thread that records.
/// </summary>
internal static class MetricTags
{
    // Close codes a session can end with (RFC 6455 §7.4.1 plus PROTOCOL.md's 4001/4002). A client may close with
    // any code in 3000-4999; those collapse into "other" so a misbehaving client cannot mint series.
    private const int FirstRfcCode = 1000;
    private const int LastRfcCode = 1015;
    private const string OtherCode = "other";

    private static readonly string[] s_rfcCodes = BuildRfcCodes();

    public static readonly KeyValuePair<string, object?>[][] HandshakeResults =
    [
        Tag(MetricLabels.Result, "accepted"),
        Tag(MetricLabels.Result, "bad_request"),
        Tag(MetricLabels.Result, "unsupported_version"),
        Tag(MetricLabels.Result, "unauthorized"),
        Tag(MetricLabels.Result, "forbidden"),
        Tag(MetricLabels.Result, "over_limit"),
        Tag(MetricLabels.Result, "error"),
    ];

    public static readonly KeyValuePair<string, object?>[][] ConflationReasons =
    [
        Tag(MetricLabels.Reason, "max_rate"),
        Tag(MetricLabels.Reason, "queue_full"),
    ];

    public static readonly KeyValuePair<string, object?>[][] DropReasons =
    [
        Tag(MetricLabels.Reason, "queue_full"),
        Tag(MetricLabels.Reason, "book_resync"),
        Tag(MetricLabels.Reason, "control_cap"),
        Tag(MetricLabels.Reason, "session_closing"),
    ];

    public static readonly KeyValuePair<string, object?>[][] SlowConsumerReasons =
    [
        Tag(MetricLabels.Reason, "queue_full"),
        Tag(MetricLabels.Reason, "write_stalled"),
    ];

    // Index: encoding * 2 + (compressed ? 1 : 0).
    private static readonly KeyValuePair<string, object?>[][] s_sent =
    [
        Sent("json", compressed: false),
        Sent("json", compressed: true),
        Sent("msgpack", compressed: false),
        Sent("msgpack", compressed: true),
    ];

    public static KeyValuePair<string, object?>[] Sent(WireEncoding encoding, bool compressed)
    {
        int index = (encoding == WireEncoding.MessagePack ? 2 : 0) + (compressed ? 1 : 0);
        return s_sent[index];
    }

    /// <summary>The tag array for an enum-indexed table; an undefined value maps to the last entry rather than throwing.</summary>
    public static KeyValuePair<string, object?>[] Pick(KeyValuePair<string, object?>[][] table, int index) =>
        (uint)index < (uint)table.Length ? table[index] : table[^1];

    /// <summary>The <c>code</c> label value: the code's digits for codes the server or RFC defines, else "other".</summary>
    public static string CloseCode(ushort code) => code switch
    {
        >= FirstRfcCode and <= LastRfcCode => s_rfcCodes[code - FirstRfcCode],
        4001 => "4001",
        4002 => "4002",
        _ => OtherCode,
    };

    public static KeyValuePair<string, object?>[] Tag(string key, string value) => [new(key, value)];

    /// <summary>The tags <see cref="MarketPushMetrics.SessionClosed"/> records with, in the same order.</summary>
    public static KeyValuePair<string, object?>[] SessionClose(ushort code, string reasonName) =>
        [new(MetricLabels.Code, CloseCode(code)), new(MetricLabels.Reason, reasonName)];

    private static KeyValuePair<string, object?>[] Sent(string encoding, bool compressed) =>
        [new(MetricLabels.Encoding, encoding), new(MetricLabels.Compressed, compressed ? "true" : "false")];

    private static string[] BuildRfcCodes()
    {
        var codes = new string[LastRfcCode - FirstRfcCode + 1];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = (FirstRfcCode + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return codes;
    }
}
