namespace MarketPush.CommandLine;

/// <summary>
/// One row of a <see cref="FlagTable{TOptions}"/>: the flag's name, the placeholder of its value (null for a switch),
/// its help, default and range as shown by <c>--help</c>, and three actions on the options object: set the default,
/// apply a value from the command line (parse, range-check, store), and check the value it holds (for values set
/// directly by a test or an embedding host). All three come from the same definition, so the range that parsing
/// enforces is the range that validation enforces and that help prints.
/// </summary>
/// <remarks>Built once per program at startup by the table's factory methods; immutable afterwards.</remarks>
public sealed class Flag<TOptions>
{
    private readonly Action<TOptions, string?> _apply;
    private readonly Action<TOptions>? _reset;
    private readonly Func<TOptions, string?>? _check;

    internal Flag(
        string name,
        string? valueHint,
        string help,
        string? defaultText,
        string? rangeText,
        Action<TOptions, string?> apply,
        Action<TOptions>? reset,
        Func<TOptions, string?>? check)
    {
        if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length < 3 || name.Contains('=', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a --flag name", nameof(name));
        }

        Name = name;
        ValueHint = valueHint;
        Help = help;
        DefaultText = defaultText;
        RangeText = rangeText;
        _apply = apply;
        _reset = reset;
        _check = check;
    }

    /// <summary>The flag as typed, <c>--port</c>.</summary>
    public string Name { get; }

    /// <summary>Placeholder of the value in help (<c>N</c>, <c>text|json</c>); null: a switch that takes no value.</summary>
    public string? ValueHint { get; }

    /// <summary>What the flag does; may span lines (help indents the continuation).</summary>
    public string Help { get; }

    /// <summary>The default as help shows it (and README's flag table must too); null when the flag has none.</summary>
    public string? DefaultText { get; }

    /// <summary>The allowed values as help shows them (<c>0..65535</c>, <c>socket|pipe</c>); null when any value of the type goes.</summary>
    public string? RangeText { get; }

    public bool IsSwitch => ValueHint is null;

    internal void Reset(TOptions options) => _reset?.Invoke(options);

    /// <summary>Parses <paramref name="value"/> (null for a switch) into the options; a FormatException's message is the problem.</summary>
    internal void Apply(TOptions options, string? value)
    {
        try
        {
            _apply(options, value);
        }
        catch (FormatException ex)
        {
            throw new CommandLineException(Name, ex.Message);
        }
    }

    internal void Check(TOptions options)
    {
        if (_check?.Invoke(options) is string problem)
        {
            throw new CommandLineException(Name, problem);
        }
    }
}
