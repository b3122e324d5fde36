using MarketPush.LoadGen.Measure;

namespace MarketPush.LoadGen.Reports;

/// <summary>Connection setup and lifetime figures of one run.</summary>
public sealed record ConnectionSummary
{
    public int Target { get; init; }

    public long OpenAtEnd { get; init; }

    /// <summary>Successful handshakes over the whole run (churn counts every cycle).</summary>
    public long Opened { get; init; }

    public long ConnectErrors { get; init; }

    /// <summary>Failed connect() by errno (111 = refused, 24 = out of descriptors…).</summary>
    public SortedDictionary<string, long> ConnectErrnos { get; init; } = [];

    public long HandshakeFailures { get; init; }

    /// <summary>Handshake answers other than 101 by HTTP status (0 = not HTTP, wrong accept key or unusable extension).</summary>
    public SortedDictionary<string, long> HandshakeStatus { get; init; } = [];

    public long HandshakeTimeouts { get; init; }

    public long ProtocolViolations { get; init; }

    public long MissingWelcome { get; init; }

    /// <summary>connect() → 101, µs.</summary>
    public LatencySummary HandshakeMicros { get; init; } = new();

    /// <summary>connect() → subscription acknowledged, µs.</summary>
    public LatencySummary ReadyMicros { get; init; } = new();

    public long ChurnCycles { get; init; }

    public double ChurnCyclesPerSecond { get; init; }
}
