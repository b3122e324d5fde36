using System.Globalization;

namespace MarketPush.LoadGen.Measure;

/// <summary>
/// Reads a Prometheus text endpoint (<c>--metrics-url</c>, loopback only) at the start and the end of the measurement
/// window, so the report can show what the server itself counted over the window: compressions (G4: one per update,
/// never one per connection), conflations, drops, slow-consumer closes. Control thread only; a scrape failure is a
/// warning in the report, never a failed run.
/// </summary>
internal sealed class MetricsScraper : IDisposable
{
    private const int MaxReportedSeries = 200;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly Uri _url;

    public MetricsScraper(Uri url)
    {
        _url = url;
    }

    /// <summary>Every sample of the endpoint (series with labels as written), or null with the reason in <paramref name="error"/>.</summary>
    public async Task<(Dictionary<string, double>? Samples, string? Error)> ScrapeAsync(CancellationToken cancellationToken)
    {
        try
        {
            string text = await _http.GetStringAsync(_url, cancellationToken).ConfigureAwait(false);
            return (Parse(text), null);
        }
        catch (HttpRequestException ex)
        {
            return (null, $"metrics scrape of {_url} failed: {ex.Message}");
        }
        catch (TaskCanceledException)
        {
            return (null, $"metrics scrape of {_url} timed out");
        }
    }

    /// <summary>Samples of the Prometheus 0.0.4 text format: <c>name{labels} value [timestamp]</c>; comments skipped.</summary>
    internal static Dictionary<string, double> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // The value follows the series; label values may contain spaces, so split after the closing brace.
            int brace = line.LastIndexOf('}');
            int split = line.IndexOf(' ', brace < 0 ? 0 : brace);
            if (split <= 0)
            {
                continue;
            }

            string series = line[..split];
            string[] rest = line[(split + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (rest.Length > 0 && double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                samples[series] = value;
            }
        }

        return samples;
    }

    /// <summary>
    /// end − start of every counter series (<c>_total</c>) that moved, plus every MarketPush counter even when it did not
    /// (so a report can tell "counted zero" from "not exported"), sorted by name; capped at 200 series.
    /// </summary>
    internal static SortedDictionary<string, double> CounterDeltas(Dictionary<string, double> start, Dictionary<string, double> end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        var deltas = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach ((string series, double value) in end.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            int brace = series.IndexOf('{', StringComparison.Ordinal);
            string name = brace < 0 ? series : series[..brace];
            if (!name.EndsWith("_total", StringComparison.Ordinal))
            {
                continue;
            }

            double delta = value - start.GetValueOrDefault(series);
            bool ours = name.StartsWith("marketpush_", StringComparison.Ordinal);
            if ((delta != 0 || ours) && deltas.Count < MaxReportedSeries)
            {
                deltas[series] = delta;
            }
        }

        return deltas;
    }

    public void Dispose() => _http.Dispose();
}
