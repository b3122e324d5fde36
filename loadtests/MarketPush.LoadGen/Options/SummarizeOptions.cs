using MarketPush.CommandLine;

namespace MarketPush.LoadGen.Options;

/// <summary>
/// The flags of <c>summarize</c> (fold a directory of JSON results into the side-by-side bench summary), defined
/// once in the table below like a run's.
/// </summary>
public sealed class SummarizeOptions
{
    private static readonly FlagTable<SummarizeOptions> s_flags = new FlagTable<SummarizeOptions>()
        .Value<string?>("--in", "DIR", "directory of JSON results (searched recursively)", o => o.InputDirectory, (o, v) => o.InputDirectory = v, null, v => v)
        .Value<string?>("--out", "FILE.md", "where the summary goes", o => o.OutputFile, (o, v) => o.OutputFile = v, null, v => v)
        .Value("--reference", "LABEL", "the contender the others are compared with", o => o.Reference, (o, v) => o.Reference = v, "marketpush", v => v, defaultText: "marketpush")
        .Value("--title", "TEXT", "the summary's heading", o => o.Title, (o, v) => o.Title = v, "MarketPush side-by-side load results", v => v,
            defaultText: "MarketPush side-by-side load results")
        .Value<string?>("--notes-file", "FILE", "Markdown put under the heading", o => o.NotesFile, (o, v) => o.NotesFile = v, null, v => v,
            v => v is not null && !File.Exists(v) ? $"no such file '{v}'" : null);

    public SummarizeOptions() => s_flags.SetDefaults(this);

    public static string Usage => s_flags.Help("Usage: MarketPush.LoadGen summarize --in DIR --out FILE.md [options]");

    public string? InputDirectory { get; set; }

    public string? OutputFile { get; set; }

    // Non-null defaults come from the flag table in the constructor.
    public string Reference { get; set; } = null!;

    public string Title { get; set; } = null!;

    public string? NotesFile { get; set; }

    /// <summary>Parses the flags after <c>summarize</c>; throws <see cref="LoadGenOptionsException"/> naming the flag.</summary>
    public static SummarizeOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SummarizeOptions();
        try
        {
            s_flags.Parse(args, options, start: args.Count > 0 && args[0] == "summarize" ? 1 : 0);
            s_flags.Validate(options);
        }
        catch (CommandLineException ex)
        {
            throw new LoadGenOptionsException(ex.Flag, ex.Problem);
        }

        if (options.InputDirectory is null || !Directory.Exists(options.InputDirectory))
        {
            throw new LoadGenOptionsException("--in", "needs an existing directory");
        }

        if (options.OutputFile is null)
        {
            throw new LoadGenOptionsException("--out", "needs the summary's file name");
        }

        return options;
    }
}
