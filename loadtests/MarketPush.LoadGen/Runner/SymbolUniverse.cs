using System.Globalization;
using System.Text;

namespace MarketPush.LoadGen.Runner;

/// <summary>
/// The symbols a run spreads its connections over, and the reverse lookup the I/O workers use to turn a quote's
/// symbol bytes into an index without allocating: generated names (<c>SYM0042</c>) are parsed from their digits, an
/// explicit list goes through a span-keyed dictionary lookup. Built once before the run; read-only and shared.
/// </summary>
internal sealed class SymbolUniverse
{
    private const int MaxStackSymbol = 128;

    private readonly string[] _names;
    private readonly byte[]? _prefixUtf8;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    private SymbolUniverse(string[] names, string? generatedPrefix)
    {
        _names = names;
        _prefixUtf8 = generatedPrefix is null ? null : Encoding.UTF8.GetBytes(generatedPrefix);
        var byName = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            byName.TryAdd(names[i], i);
        }

        _lookup = byName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _names.Length;

    public string this[int id] => _names[id];

    /// <summary><paramref name="count"/> names <c>prefix0000</c>… as the MarketPush server and the baselines generate them (<c>D4</c>).</summary>
    public static SymbolUniverse Generated(string prefix, int count)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = prefix + i.ToString("D4", CultureInfo.InvariantCulture);
        }

        return new SymbolUniverse(names, prefix);
    }

    public static SymbolUniverse FromList(IReadOnlyList<string> symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        return new SymbolUniverse([.. symbols], generatedPrefix: null);
    }

    /// <summary>The index of the symbol whose UTF-8 name is <paramref name="utf8"/>, or false when it is not in the universe.</summary>
    public bool TryGetId(ReadOnlySpan<byte> utf8, out int id)
    {
        if (_prefixUtf8 is not null && utf8.StartsWith(_prefixUtf8))
        {
            ReadOnlySpan<byte> digits = utf8.Slice(_prefixUtf8.Length);
            // "SYM0042" and "SYM00042" parse alike; only the canonical D4 spelling is ours.
            if (digits.Length is >= 4 and <= 9 && (digits.Length == 4 || digits[0] != (byte)'0')
                && TryParseAllDigits(digits, out id) && id < _names.Length)
            {
                return true;
            }

            id = -1;
            return false;
        }

        if (utf8.Length > MaxStackSymbol)
        {
            id = -1;
            return false;
        }

        Span<char> chars = stackalloc char[MaxStackSymbol];
        if (!Encoding.UTF8.TryGetChars(utf8, chars, out int written))
        {
            id = -1;
            return false;
        }

        if (_lookup.TryGetValue(chars.Slice(0, written), out id))
        {
            return true;
        }

        id = -1;
        return false;
    }

    private static bool TryParseAllDigits(ReadOnlySpan<byte> digits, out int value)
    {
        int result = 0;
        foreach (byte b in digits)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                value = -1;
                return false;
            }

            result = (result * 10) + (int)digit;
        }

        value = result;
        return true;
    }
}
