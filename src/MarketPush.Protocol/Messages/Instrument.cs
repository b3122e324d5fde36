using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Encodings.MessagePack;

namespace MarketPush.Protocol.Messages;

/// <summary>
/// Reference data for one tradable symbol. Created once when the catalog is built and shared read-only by every
/// thread; ticks carry only <see cref="Id"/>. A class rather than a struct because it is shared reference data, not
/// per-update data: it also holds the symbol pre-encoded for both wire encodings, so the hot-path writers copy the
/// bytes instead of transcoding and escaping the symbol for every update.
/// </summary>
public sealed class Instrument
{
    /// <summary>Largest supported <see cref="Decimals"/>: 10^18 is the largest power of ten in a long.</summary>
    public const int MaxDecimals = 18;

    public Instrument(int id, string symbol, int decimals, long tickSize, string description)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, MaxDecimals);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tickSize);
        ArgumentNullException.ThrowIfNull(description);

        Id = id;
        Symbol = symbol;
        Decimals = decimals;
        TickSize = tickSize;
        Description = description;
        JsonSymbol = JsonText.EncodeString(symbol);
        MessagePackSymbol = MessagePackWriter.EncodeString(symbol);
    }

    /// <summary>Dense index (0..count-1) in the catalog; per-instrument arrays everywhere are indexed by it.</summary>
    public int Id { get; }

    /// <summary>Case-sensitive symbol as clients subscribe to it (PROTOCOL.md).</summary>
    public string Symbol { get; }

    /// <summary>Digits after the decimal point: a scaled price p means p / 10^Decimals.</summary>
    public int Decimals { get; }

    /// <summary>Minimum price increment, in scaled units (1 = 10^-Decimals).</summary>
    public long TickSize { get; }

    public string Description { get; }

    /// <summary>The symbol as a quoted, escaped JSON string, UTF-8.</summary>
    internal byte[] JsonSymbol { get; }

    /// <summary>The symbol as a complete MessagePack str (header and UTF-8 bytes).</summary>
    internal byte[] MessagePackSymbol { get; }

    /// <summary>Formats a scaled price of this instrument the way the JSON writer does (cold path: allocates).</summary>
    public string FormatPrice(long scaledPrice) => PriceFormatter.ToString(scaledPrice, Decimals);

    public override string ToString() => Symbol;
}
