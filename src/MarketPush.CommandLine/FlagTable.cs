using System.Globalization;
using System.Text;

namespace MarketPush.CommandLine;

/// <summary>
/// A program's command-line flags, each defined once (name, value type, default, range, help) by the factory methods
/// below; <see cref="SetDefaults"/>, <see cref="Parse"/>, <see cref="Validate"/> and <see cref="Help"/> all read
/// those definitions, so a range is written in one place and help cannot drift from what parsing accepts.
/// </summary>
/// <remarks>
/// <para>
/// Syntax: <c>--flag value</c> or <c>--flag=value</c>; a switch takes no value (<c>--flag=x</c> is refused); a value
/// may not start with <c>--</c> (that is the next flag, so the value is missing); <c>--help</c>, <c>-h</c> and
/// <c>-?</c> ask for help. Anything else (an unknown flag, a bare word) is refused naming it. A bad value is refused,
/// naming the flag and the allowed range; nothing is clamped.
/// </para>
/// <para>
/// Built once in a static field at startup and read-only afterwards, so any thread may parse with it. Parsing is
/// startup work: the LINQ and strings here never run on a data path.
/// </para>
/// </remarks>
public sealed class FlagTable<TOptions>
{
    private static readonly string[] s_helpNames = ["--help", "-h", "-?"];

    // Flags and section headings (strings) in help order.
    private readonly List<object> _rows = [];
    private readonly Dictionary<string, Flag<TOptions>> _byName = new(StringComparer.Ordinal);

    /// <summary>Every flag, in help order.</summary>
    public IEnumerable<Flag<TOptions>> Flags => _rows.OfType<Flag<TOptions>>();

    /// <summary>A heading printed above the flags added after it.</summary>
    public FlagTable<TOptions> Section(string title)
    {
        _rows.Add(title);
        return this;
    }

    /// <summary>
    /// A whole-number flag in <paramref name="min"/>..<paramref name="max"/>. A default outside the range means "not
    /// given" (e.g. <c>--symbols</c>' 0, the built-in list): validation accepts it, the command line cannot give it.
    /// </summary>
    public FlagTable<TOptions> Int(
        string name, string hint, string help, Func<TOptions, int> get, Action<TOptions, int> set, int defaultValue, int min, int max, string? defaultText = null) =>
        Add(new Flag<TOptions>(
            name, hint, help, defaultText ?? defaultValue.ToString(CultureInfo.InvariantCulture), FlagValue.Range(min, max),
            (o, v) => set(o, FlagValue.WholeNumber(v!, min, max)),
            o => set(o, defaultValue),
            o => get(o) is int value && value != defaultValue ? FlagValue.CheckRange(value, min, max) : null));

    /// <summary>A whole-number flag whose default is "not given" (null).</summary>
    public FlagTable<TOptions> OptionalInt(
        string name, string hint, string help, Func<TOptions, int?> get, Action<TOptions, int?> set, int min, int max, string? defaultText = null) =>
        Add(new Flag<TOptions>(
            name, hint, help, defaultText, FlagValue.Range(min, max),
            (o, v) => set(o, FlagValue.WholeNumber(v!, min, max)),
            o => set(o, null),
            o => get(o) is int value ? FlagValue.CheckRange(value, min, max) : null));

    /// <summary>A whole number that may be negative, any value of <see cref="long"/>.</summary>
    public FlagTable<TOptions> Long(string name, string hint, string help, Action<TOptions, long> set, long defaultValue) =>
        Add(new Flag<TOptions>(
            name, hint, help, defaultValue.ToString(CultureInfo.InvariantCulture), rangeText: null,
            (o, v) => set(o, FlagValue.SignedWholeNumber(v!)),
            o => set(o, defaultValue),
            check: null));

    /// <summary>A decimal-number flag in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public FlagTable<TOptions> Double(
        string name, string hint, string help, Func<TOptions, double> get, Action<TOptions, double> set, double defaultValue, double min, double max,
        bool allowExponent = false, string? defaultText = null) =>
        Add(new Flag<TOptions>(
            name, hint, help, defaultText ?? defaultValue.ToString(CultureInfo.InvariantCulture), FlagValue.Range(min, max),
            (o, v) => set(o, FlagValue.Number(v!, min, max, allowExponent)),
            o => set(o, defaultValue),
            o => FlagValue.CheckRange(get(o), min, max)));

    /// <summary>A decimal-number flag whose default is "not given" (null).</summary>
    public FlagTable<TOptions> OptionalDouble(
        string name, string hint, string help, Func<TOptions, double?> get, Action<TOptions, double?> set, double min, double max, bool allowExponent = false) =>
        Add(new Flag<TOptions>(
            name, hint, help, defaultText: null, FlagValue.Range(min, max),
            (o, v) => set(o, FlagValue.Number(v!, min, max, allowExponent)),
            o => set(o, null),
            o => get(o) is double value ? FlagValue.CheckRange(value, min, max) : null));

    /// <summary>A switch: present means on; it takes no value.</summary>
    public FlagTable<TOptions> Switch(string name, string help, Action<TOptions, bool> set) =>
        Add(new Flag<TOptions>(
            name, valueHint: null, help, "off", rangeText: null,
            (o, _) => set(o, true),
            o => set(o, false),
            check: null));

    /// <summary>One of a fixed set of names (case ignored); the hint lists them unless given.</summary>
    public FlagTable<TOptions> Choice<TValue>(
        string name, string help, Func<TOptions, TValue> get, Action<TOptions, TValue> set, TValue defaultValue, IReadOnlyList<(string Name, TValue Value)> choices,
        string? hint = null)
    {
        string defaultName = choices.First(c => EqualityComparer<TValue>.Default.Equals(c.Value, defaultValue)).Name;
        return Add(new Flag<TOptions>(
            name, hint ?? FlagValue.ChoiceText(choices, "|"), help, defaultName, FlagValue.ChoiceText(choices, "|"),
            (o, v) => set(o, FlagValue.Choice(v!, choices)),
            o => set(o, defaultValue),
            o => choices.Any(c => EqualityComparer<TValue>.Default.Equals(c.Value, get(o)))
                ? null
                : $"must be one of {FlagValue.ChoiceText(choices, ", ")}"));
    }

    /// <summary>
    /// Any other single-valued flag: <paramref name="parse"/> turns the text into the value (throwing FormatException
    /// with the problem), <paramref name="check"/> returns the problem with a held value or null.
    /// </summary>
    public FlagTable<TOptions> Value<TValue>(
        string name, string hint, string help, Func<TOptions, TValue> get, Action<TOptions, TValue> set, TValue defaultValue,
        Func<string, TValue> parse, Func<TValue, string?>? check = null, string? defaultText = null, string? rangeText = null) =>
        Add(new Flag<TOptions>(
            name, hint, help, defaultText, rangeText,
            (o, v) =>
            {
                TValue value = parse(v!);
                if (check?.Invoke(value) is string problem)
                {
                    throw new FormatException(problem);
                }

                set(o, value);
            },
            o => set(o, defaultValue),
            check is null ? null : o => check(get(o))));

    /// <summary>
    /// A flag with its own apply, reset and check (a repeatable flag that adds to a list, a flag that sets a
    /// composite value); apply throws FormatException with the problem.
    /// </summary>
    public FlagTable<TOptions> Custom(
        string name, string? hint, string help, Action<TOptions, string?> apply, Action<TOptions>? reset, Func<TOptions, string?>? check,
        string? defaultText = null, string? rangeText = null) =>
        Add(new Flag<TOptions>(name, hint, help, defaultText, rangeText, apply, reset, check));

    /// <summary>Sets every flag's default (the options type's constructor calls this, so defaults live only here).</summary>
    public void SetDefaults(TOptions options)
    {
        foreach (Flag<TOptions> flag in Flags)
        {
            flag.Reset(options);
        }
    }

    /// <summary>
    /// Parses <paramref name="args"/> from <paramref name="start"/> into <paramref name="options"/> (which holds the
    /// defaults). Throws <see cref="CommandLineException"/> naming the flag. Does not validate: call
    /// <see cref="Validate"/> after any cross-flag rules.
    /// </summary>
    public FlagParseResult Parse(IReadOnlyList<string> args, TOptions options, int start = 0)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool help = false;
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (int i = start; i < args.Count; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inlineValue = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            if (inlineValue is null && s_helpNames.Contains(arg))
            {
                help = true;
                continue;
            }

            if (!_byName.TryGetValue(name, out Flag<TOptions>? flag))
            {
                throw new CommandLineException(arg, "unknown option (see --help)");
            }

            string? value;
            if (flag.IsSwitch)
            {
                value = inlineValue is null ? null : throw new CommandLineException(name, "takes no value");
            }
            else if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new CommandLineException(name, $"needs a value ({flag.ValueHint})");
            }

            flag.Apply(options, value);
            given.Add(name);
        }

        return new FlagParseResult(help, given);
    }

    /// <summary>Checks every flag's current value against its definition; throws <see cref="CommandLineException"/> naming the first bad one.</summary>
    public void Validate(TOptions options)
    {
        foreach (Flag<TOptions> flag in Flags)
        {
            flag.Check(options);
        }
    }

    /// <summary>
    /// The <c>--help</c> text: <paramref name="usage"/>, then one entry per flag, "--name HINT  help [range; default: D]"
    /// (continuation lines of the help indented under it, the bracket after the last), then <paramref name="footer"/> if any.
    /// </summary>
    public string Help(string usage, string? footer = null)
    {
        const int MaxColumn = 32;
        int column = Math.Min(MaxColumn, Flags.Max(f => Signature(f).Length) + 4);
        var text = new StringBuilder();
        text.Append(usage.TrimEnd()).Append('\n');
        foreach (object row in _rows)
        {
            if (row is string section)
            {
                text.Append(section).Append('\n');
                continue;
            }

            var flag = (Flag<TOptions>)row;
            string signature = "  " + Signature(flag);
            string[] lines = flag.Help.Split('\n');
            text.Append(signature);
            if (signature.Length + 1 > column)
            {
                text.Append('\n').Append(' ', column);
            }
            else
            {
                text.Append(' ', column - signature.Length);
            }

            // The range and default close the entry, after its last help line.
            for (int i = 0; i < lines.Length; i++)
            {
                text.Append(' ', i == 0 ? 0 : column + 2).Append(lines[i]).Append(i == lines.Length - 1 ? Facts(flag) : "").Append('\n');
            }
        }

        text.Append("  --help, -h, -?".PadRight(column)).Append("print this text\n");
        if (footer is not null)
        {
            text.Append(footer.TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    private static string Signature(Flag<TOptions> flag) => flag.IsSwitch ? flag.Name : $"{flag.Name} {flag.ValueHint}";

    // " [0..65535; default: 8080]": the range is left out when the hint already spells it (text|json).
    private static string Facts(Flag<TOptions> flag)
    {
        var facts = new List<string>(2);
        if (flag.RangeText is not null && flag.RangeText != flag.ValueHint)
        {
            facts.Add(flag.RangeText);
        }

        if (flag.DefaultText is not null)
        {
            facts.Add("default: " + flag.DefaultText);
        }

        return facts.Count == 0 ? "" : $" [{string.Join("; ", facts)}]";
    }

    private FlagTable<TOptions> Add(Flag<TOptions> flag)
    {
        if (!_byName.TryAdd(flag.Name, flag))
        {
            throw new ArgumentException($"{flag.Name} is defined twice", nameof(flag));
        }

        _rows.Add(flag);
        return this;
    }
}
