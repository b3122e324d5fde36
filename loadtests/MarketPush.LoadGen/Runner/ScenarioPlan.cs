using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MarketPush.LoadGen.Options;

namespace MarketPush.LoadGen.Runner;

/// <summary>
/// What each simulated client does, derived once from <see cref="RunOptions"/> before the run: which symbols
/// connection <c>i</c> subscribes to, whether it is one of the slow readers, the handshake request and the subscribe
/// commands it sends. Immutable and shared by every I/O worker; per-connection answers are pure functions of the
/// connection's global index, so a connection that churns or reconnects keeps the same symbols.
/// </summary>
/// <remarks>
/// Symbol assignment is arithmetic rather than a table: connection i takes the K consecutive symbols starting at
/// (i·K) mod N, so the subscribers spread evenly and a worker finds a received symbol's slot in the connection's
/// sequence array with one subtraction (<see cref="GetLocalIndex"/>). The wide scenario puts everyone on symbol 0.
/// </remarks>
internal sealed class ScenarioPlan
{
    /// <summary>Symbols per subscribe command: keeps each command well under the servers' 16 KiB message limit.</summary>
    public const int SymbolsPerCommand = 400;

    private readonly string _requestHead;
    private readonly string _requestTail;

    public ScenarioPlan(RunOptions options, SymbolUniverse universe)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(universe);
        Options = options;
        Universe = universe;
        Scenario = options.Scenario;
        SymbolsPerConnection = options.GetSymbolsPerConnection(universe.Count);
        OffersDeflate = options.OffersDeflate;
        SlowShare = options.Scenario == ScenarioKind.Slow ? options.SlowShare : 0;
        PingTicks = options.PingMs <= 0 ? 0 : options.PingMs * Stopwatch.Frequency / 1000;
        HoldTicks = options.HoldMs * Stopwatch.Frequency / 1000;
        Port = options.Url.Port;

        string path = string.IsNullOrEmpty(options.Url.PathAndQuery) ? "/" : options.Url.PathAndQuery;
        _requestHead =
            $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ";
        // server_no_context_takeover is offered so that every server compresses each message on its own, which is what
        // MarketPush always does and what lets the runner inflate with the stateless MessageInflater; the baselines
        // then compress per connection without context, the same wire contract for every contender.
        _requestTail = OffersDeflate
            ? "\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\nUser-Agent: MarketPush.LoadGen\r\n\r\n"
            : "\r\nUser-Agent: MarketPush.LoadGen\r\n\r\n";
    }

    public RunOptions Options { get; }

    public SymbolUniverse Universe { get; }

    public ScenarioKind Scenario { get; }

    public int SymbolsPerConnection { get; }

    public bool OffersDeflate { get; }

    public double SlowShare { get; }

    /// <summary>Client ping interval in Stopwatch ticks; 0 = the runner never pings first.</summary>
    public long PingTicks { get; }

    /// <summary>Churn: how long a connection stays subscribed, in Stopwatch ticks.</summary>
    public long HoldTicks { get; }

    public int Port { get; }

    /// <summary>
    /// Symbols connection <paramref name="globalIndex"/> subscribes to: K, except that a slow reader takes every symbol,
    /// so that it fills its server-side queue as fast as the feed allows (a 12 s run must reach the server's bound).
    /// </summary>
    public int GetSymbolCount(int globalIndex) => IsSlow(globalIndex) ? Universe.Count : SymbolsPerConnection;

    /// <summary>Number of subscribe commands a connection sends (and of <c>subscribed</c> replies it waits for).</summary>
    public int GetSubscribeCommandCount(int globalIndex)
    {
        int count = GetSymbolCount(globalIndex);
        return count == 0 ? 0 : (count + SymbolsPerCommand - 1) / SymbolsPerCommand;
    }

    /// <summary>First symbol of connection <paramref name="globalIndex"/>; its K symbols follow, wrapping at N.</summary>
    public int GetSymbolStart(int globalIndex)
    {
        if (Scenario == ScenarioKind.Wide || Universe.Count == 0)
        {
            return 0;
        }

        return (int)(((long)globalIndex * SymbolsPerConnection) % Universe.Count);
    }

    /// <summary>
    /// Slot of symbol <paramref name="symbolId"/> among the <paramref name="symbolCount"/> symbols of a connection
    /// starting at <paramref name="symbolStart"/>, or -1 when the connection did not subscribe to it.
    /// </summary>
    public int GetLocalIndex(int symbolStart, int symbolCount, int symbolId)
    {
        int n = Universe.Count;
        int local = symbolId - symbolStart;
        if (local < 0)
        {
            local += n;
        }

        return local < symbolCount ? local : -1;
    }

    /// <summary>
    /// Whether connection <paramref name="globalIndex"/> is a slow reader: exactly round(share·C) of the first C
    /// connections are, spread evenly (index i is slow when ⌊(i+1)·share⌋ &gt; ⌊i·share⌋).
    /// </summary>
    public bool IsSlow(int globalIndex) =>
        SlowShare > 0 && Math.Floor((globalIndex + 1) * SlowShare + 1e-9) > Math.Floor(globalIndex * SlowShare + 1e-9);

    /// <summary>A fresh handshake request with a random key, and the Sec-WebSocket-Accept the server must answer.</summary>
    public byte[] BuildHandshakeRequest(out string expectedAccept)
    {
        Span<byte> nonce = stackalloc byte[16];
        RandomNumberGenerator.Fill(nonce);
        string key = Convert.ToBase64String(nonce);
        expectedAccept = Protocol.Handshake.WebSocketAccept.ComputeAcceptKey(key);
        return Encoding.ASCII.GetBytes(_requestHead + key + _requestTail);
    }

    /// <summary>
    /// The subscribe command number <paramref name="command"/> (0-based) of connection <paramref name="globalIndex"/>:
    /// quotes only, no snapshot (a snapshot carries the feed time of an older update and would inflate latencies).
    /// </summary>
    public byte[] BuildSubscribeCommand(int globalIndex, int command)
    {
        int start = GetSymbolStart(globalIndex);
        int first = command * SymbolsPerCommand;
        int count = Math.Min(SymbolsPerCommand, GetSymbolCount(globalIndex) - first);
        var json = new StringBuilder(64 + (count * 12));
        json.Append("{\"op\":\"subscribe\",\"id\":").Append((command + 1).ToString(CultureInfo.InvariantCulture)).Append(",\"symbols\":[");
        for (int j = 0; j < count; j++)
        {
            if (j > 0)
            {
                json.Append(',');
            }

            json.Append('"').Append(Universe[(start + first + j) % Universe.Count]).Append('"');
        }

        json.Append("],\"channels\":[\"quote\"],\"snapshot\":false}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }
}
