using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Instruments;

/// <summary>
/// Every instrument the server knows, indexed densely by <see cref="Instrument.Id"/> (ticks, sequence counters,
/// last values and subscriber lists are arrays over it) and by symbol for commands. Built once at startup and
/// read-only afterwards, so any thread may use it without locking.
/// Also holds a reference price per instrument, the level the synthetic feed starts its random walk from.
/// </summary>
/// <remarks>
/// Why a namespace below the stages (beside Buffers) rather than a stage folder: the catalog is reference data, not a
/// step of the data path. Every stage reads it (feeds describe their instruments into it, ingest and the router index
/// arrays by its ids, the session layer resolves subscribed symbols), so in any stage it would make the stages
/// downstream of that one reference upstream. It is built once by the feed set (or generated for <c>--feed none</c>)
/// and handed down by the composition root; it references no stage.
/// </remarks>
public sealed class InstrumentCatalog
{
    /// <summary>Prefix of the generated instruments of <see cref="CreateGenerated"/> (<c>SYM0000</c>, <c>SYM0001</c>…).</summary>
    public const string GeneratedSymbolPrefix = "SYM";

    private readonly Instrument[] _instruments;
    private readonly long[] _referencePrices;
    private readonly Dictionary<string, Instrument> _bySymbol;

    /// <param name="instruments">Instruments with ids 0..n-1 in order, symbols unique (ordinal).</param>
    /// <param name="referencePrices">Scaled starting price per instrument, or null (then 0: unknown).</param>
    public InstrumentCatalog(IReadOnlyList<Instrument> instruments, IReadOnlyList<long>? referencePrices = null)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        if (referencePrices is not null && referencePrices.Count != instruments.Count)
        {
            throw new ArgumentException("One reference price per instrument is required.", nameof(referencePrices));
        }

        _instruments = [.. instruments];
        _referencePrices = referencePrices is null ? new long[_instruments.Length] : [.. referencePrices];
        _bySymbol = new Dictionary<string, Instrument>(_instruments.Length, StringComparer.Ordinal);
        for (int i = 0; i < _instruments.Length; i++)
        {
            Instrument instrument = _instruments[i];
            if (instrument.Id != i)
            {
                throw new ArgumentException($"Instrument '{instrument.Symbol}' has id {instrument.Id} at index {i}.", nameof(instruments));
            }

            if (!_bySymbol.TryAdd(instrument.Symbol, instrument))
            {
                throw new ArgumentException($"Duplicate symbol '{instrument.Symbol}'.", nameof(instruments));
            }
        }
    }

    public int Count => _instruments.Length;

    public IReadOnlyList<Instrument> Instruments => _instruments;

    public Instrument this[int id] => _instruments[id];

    /// <summary>Case-sensitive lookup (PROTOCOL.md: symbols are case-sensitive).</summary>
    public bool TryGet(string symbol, [NotNullWhen(true)] out Instrument? instrument) => _bySymbol.TryGetValue(symbol, out instrument);

    /// <summary>Scaled reference price of an instrument (0 when unknown).</summary>
    public long GetReferencePrice(int id) => _referencePrices[id];

    /// <summary>Instruments whose symbol starts with <paramref name="prefix"/> (ordinal; null or empty: all), in catalog order. For the <c>symbols</c> command; allocates.</summary>
    public List<Instrument> FindByPrefix(string? prefix)
    {
        var result = new List<Instrument>();
        foreach (Instrument instrument in _instruments)
        {
            if (string.IsNullOrEmpty(prefix) || instrument.Symbol.StartsWith(prefix, StringComparison.Ordinal))
            {
                result.Add(instrument);
            }
        }

        return result;
    }

    /// <summary>
    /// The embedded default list: a few hundred US equities and ETFs (2 decimals, tick 0.01) and crypto pairs with
    /// their usual precision (BTC-USD 2 decimals … SHIB-USD 8), at plausible price levels, sorted by symbol.
    /// </summary>
    public static InstrumentCatalog CreateDefault() => DefaultInstrumentTable.Create();

    /// <summary>
    /// Exactly <paramref name="count"/> generated instruments <c>SYM0000</c> … <c>SYM{count-1}</c> (at least four
    /// digits, more only past 9999), 2 decimals, tick 0.01, reference prices spread deterministically over 10..500.
    /// Used by load runs and benchmarks (<c>--symbols N</c>).
    /// </summary>
    public static InstrumentCatalog CreateGenerated(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var instruments = new Instrument[count];
        var prices = new long[count];
        for (int i = 0; i < count; i++)
        {
            string symbol = GeneratedSymbolPrefix + i.ToString("D4", CultureInfo.InvariantCulture);
            instruments[i] = new Instrument(i, symbol, 2, 1, $"Synthetic instrument {i}");

            // A multiplicative hash spreads neighbouring indices over the range: $10.00 to $499.99.
            uint spread = unchecked((uint)i * 2654435761u) % 49_000u;
            prices[i] = 1_000 + spread;
        }

        return new InstrumentCatalog(instruments, prices);
    }

    /// <summary>Builds a catalog from (symbol, decimals, price text, description) rows; ids follow the row order.</summary>
    internal static InstrumentCatalog FromRows(IReadOnlyList<(string Symbol, int Decimals, string Price, string Description)> rows)
    {
        var instruments = new Instrument[rows.Count];
        var prices = new long[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            (string symbol, int decimals, string price, string description) = rows[i];
            if (!PriceFormatter.TryParse(price, decimals, out prices[i]))
            {
                throw new FormatException($"Bad reference price '{price}' for {symbol}.");
            }

            instruments[i] = new Instrument(i, symbol, decimals, 1, description);
        }

        return new InstrumentCatalog(instruments, prices);
    }
}
