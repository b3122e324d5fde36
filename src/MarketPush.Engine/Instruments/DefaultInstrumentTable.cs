using System.Globalization;

namespace MarketPush.Engine.Instruments;

/// <summary>
/// The source of <see cref="InstrumentCatalog.CreateDefault"/>: <c>Feeds/DefaultInstruments.txt</c>, embedded in the
/// assembly, one <c>SYMBOL|decimals|price|description</c> row per instrument, parsed once at startup (any thread,
/// no state kept). The rows are data, not code: they live in a text file so the list can grow without growing a
/// source file, and the format is checked here, naming the row that is wrong.
/// </summary>
internal static class DefaultInstrumentTable
{
    private const string ResourceName = "MarketPush.Engine.Feeds.DefaultInstruments.txt";

    public static InstrumentCatalog Create()
    {
        using Stream stream = typeof(DefaultInstrumentTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from {typeof(DefaultInstrumentTable).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return InstrumentCatalog.FromRows(Parse(reader.ReadToEnd()));
    }

    /// <summary>Rows of the table text, sorted by symbol (ordinal); comments (#) and blank lines skipped.</summary>
    internal static List<(string Symbol, int Decimals, string Price, string Description)> Parse(string text)
    {
        var rows = new List<(string Symbol, int Decimals, string Price, string Description)>();
        int lineNumber = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split('|', 4);
            if (parts.Length != 4 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int decimals))
            {
                throw new FormatException($"{ResourceName} line {lineNumber}: expected SYMBOL|decimals|price|description, got \"{line}\".");
            }

            rows.Add((parts[0], decimals, parts[2], parts[3]));
        }

        rows.Sort(static (x, y) => string.CompareOrdinal(x.Symbol, y.Symbol));
        return rows;
    }
}
