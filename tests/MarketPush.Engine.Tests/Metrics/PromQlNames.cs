using System.Text.RegularExpressions;

namespace MarketPush.Engine.Tests.Metrics;

// Pulls the metric names out of a PromQL expression with regular expressions: what is left after removing string
// literals, label matchers, range/subquery brackets and label lists (by, without, on, ignoring, group_*) are
// metric names, function names (followed by '('), keywords and numbers.
internal static partial class PromQlNames
{
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right",
        "atan2", "inf", "nan",
    };

    public static IReadOnlyList<string> In(string expression)
    {
        string rest = StringLiteral().Replace(expression, " ");
        rest = LabelMatchers().Replace(rest, " ");
        rest = Brackets().Replace(rest, " ");
        rest = LabelLists().Replace(rest, " ");
        return Identifier().Matches(rest)
            .Select(m => m.Value)
            .Where(name => !s_keywords.Contains(name.ToLowerInvariant()))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    // Grafana's label_values(metric, label) variable query is not PromQL; only its first argument is a metric.
    public static IReadOnlyList<string> InVariableQuery(string query)
    {
        Match match = LabelValues().Match(query);
        return match.Success ? [match.Groups[1].Value] : In(query);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("\\{[^}]*\\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex("\\[[^\\]]*\\]")]
    private static partial Regex Brackets();

    [GeneratedRegex("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)")]
    private static partial Regex LabelLists();

    // Atomic group: a function name must not match by backtracking to a shorter prefix that is not followed by '('.
    [GeneratedRegex("(?<![\\w:$.])(?>[a-zA-Z_:][a-zA-Z0-9_:]*)(?!\\s*\\()")]
    private static partial Regex Identifier();

    [GeneratedRegex("^\\s*label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")]
    private static partial Regex LabelValues();
}
