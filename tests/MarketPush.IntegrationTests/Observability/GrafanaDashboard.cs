using System.Text.Json;
using System.Text.RegularExpressions;

namespace MarketPush.IntegrationTests.Observability;

/// <summary>
/// Reads dashboards/marketpush.json the way Grafana does for one refresh: every target of every panel (inside
/// collapsed rows too), with the dashboard's template variables and Grafana's built-in interval variables replaced
/// by what Grafana would put there. Stateless; used by the test thread only.
/// </summary>
internal static partial class GrafanaDashboard
{
    /// <summary>
    /// What <c>$__rate_interval</c> becomes. Grafana uses max(4 × scrape interval, $__interval + scrape interval);
    /// with the test's 1 s scrapes that is 4 s. 10 s keeps several samples in every window on a busy machine while
    /// still showing only the recent load.
    /// </summary>
    public const string RateInterval = "10s";

    /// <summary>What <c>$__interval</c> becomes: the step Grafana picks for a short time range.</summary>
    public const string Interval = "2s";

    public static IReadOnlyList<DashboardQuery> Queries(string dashboardPath)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(dashboardPath));
        JsonElement root = document.RootElement;
        Dictionary<string, string> variables = TemplateVariables(root);
        string range = RangeOf(root);
        var queries = new List<DashboardQuery>();
        string row = "(no row)";
        foreach (JsonElement panel in root.GetProperty("panels").EnumerateArray())
        {
            if (panel.GetProperty("type").GetString() == "row")
            {
                row = panel.GetProperty("title").GetString()!;
                // A collapsed row keeps its panels inside it.
                if (panel.TryGetProperty("panels", out JsonElement nested))
                {
                    foreach (JsonElement inner in nested.EnumerateArray())
                    {
                        AddTargets(queries, row, inner, variables, range);
                    }
                }

                continue;
            }

            AddTargets(queries, row, panel, variables, range);
        }

        return queries;
    }

    /// <summary>
    /// Replaces Grafana's variables in <paramref name="expr"/>: <c>$__rate_interval</c>, <c>$__interval</c>,
    /// <c>$__range</c> (and its <c>_s</c>/<c>_ms</c> forms), and each template variable in any of its syntaxes
    /// (<c>$name</c>, <c>${name}</c>, <c>${name:format}</c>, <c>[[name]]</c>) by its "All" value.
    /// Whatever is left starting with <c>$</c> is a variable the dashboard does not define.
    /// </summary>
    public static string Substitute(string expr, IReadOnlyDictionary<string, string> variables, string range)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["__rate_interval"] = RateInterval,
            ["__interval"] = Interval,
            ["__range"] = range,
            ["__range_s"] = ((int)ParseDuration(range).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["__range_ms"] = ((long)ParseDuration(range).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach ((string name, string value) in variables)
        {
            values[name] = value;
        }

        return VariableReference().Replace(expr, match =>
        {
            string name = match.Groups["braced"].Success ? match.Groups["braced"].Value
                : match.Groups["bracket"].Success ? match.Groups["bracket"].Value
                : match.Groups["plain"].Value;
            return values.TryGetValue(name, out string? value) ? value : match.Value;
        });
    }

    private static void AddTargets(List<DashboardQuery> queries, string row, JsonElement panel, Dictionary<string, string> variables, string range)
    {
        if (!panel.TryGetProperty("targets", out JsonElement targets))
        {
            return;
        }

        string title = panel.GetProperty("title").GetString()!;
        foreach (JsonElement target in targets.EnumerateArray())
        {
            if (target.TryGetProperty("hide", out JsonElement hide) && hide.ValueKind == JsonValueKind.True)
            {
                continue; // Grafana does not run hidden queries either
            }

            string expr = target.GetProperty("expr").GetString()!;
            string refId = target.TryGetProperty("refId", out JsonElement id) ? id.GetString()! : "?";
            queries.Add(new DashboardQuery(row, title, refId, expr, Substitute(expr, variables, range)));
        }
    }

    // Template variables by name: a constant is its value; any other variable is what "All" sends (its allValue, or
    // a regex matching everything), since the test asks what an operator sees with nothing filtered out.
    private static Dictionary<string, string> TemplateVariables(JsonElement root)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("templating", out JsonElement templating))
        {
            return variables;
        }

        foreach (JsonElement variable in templating.GetProperty("list").EnumerateArray())
        {
            string name = variable.GetProperty("name").GetString()!;
            string type = variable.TryGetProperty("type", out JsonElement t) ? t.GetString()! : "query";
            if (type == "constant" && variable.TryGetProperty("query", out JsonElement constant) && constant.ValueKind == JsonValueKind.String)
            {
                variables[name] = constant.GetString()!;
            }
            else if (variable.TryGetProperty("allValue", out JsonElement all) && all.ValueKind == JsonValueKind.String && all.GetString()!.Length > 0)
            {
                variables[name] = all.GetString()!;
            }
            else
            {
                variables[name] = ".*";
            }
        }

        return variables;
    }

    // The dashboard's default time range ("now-30m" to "now") as a PromQL duration, for $__range.
    private static string RangeOf(JsonElement root)
    {
        if (root.TryGetProperty("time", out JsonElement time)
            && time.GetProperty("from").GetString() is { } from
            && RelativeTime().Match(from) is { Success: true } match)
        {
            return match.Groups[1].Value;
        }

        return "1h";
    }

    private static TimeSpan ParseDuration(string duration)
    {
        double number = double.Parse(duration[..^1], System.Globalization.CultureInfo.InvariantCulture);
        return duration[^1] switch
        {
            's' => TimeSpan.FromSeconds(number),
            'm' => TimeSpan.FromMinutes(number),
            'h' => TimeSpan.FromHours(number),
            'd' => TimeSpan.FromDays(number),
            _ => TimeSpan.FromHours(1),
        };
    }

    [GeneratedRegex(@"\$\{(?<braced>\w+)(?::[^}]*)?\}|\[\[(?<bracket>\w+)\]\]|\$(?<plain>\w+)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^now-(\d+[smhd])$")]
    private static partial Regex RelativeTime();
}
