using System.Globalization;

namespace MarketPush.IntegrationTests;

/// <summary>One GET /metrics of a running server, parsed into series (name plus label text) and values.</summary>
internal static class MetricsScrape
{
    public static async Task<Dictionary<string, double>> GetAsync(int port, CancellationToken cancellationToken)
    {
        HttpResult scrape = await RawWebSocketClient.SendHttpAsync(
            port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", cancellationToken);
        Assert.Equal(200, scrape.StatusCode);
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in scrape.Body.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            series[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }

        return series;
    }

    /// <summary>The value of a series, 0 when the scrape does not have it.</summary>
    public static double Value(this Dictionary<string, double> scrape, string series) =>
        scrape.TryGetValue(series, out double value) ? value : 0;

    /// <summary>
    /// Scrapes until <paramref name="done"/> holds (counters recorded just after a response went out may lag the
    /// client by microseconds), or the token ends; returns the last scrape either way so the test asserts on it.
    /// </summary>
    public static async Task<Dictionary<string, double>> WaitForAsync(int port, Func<Dictionary<string, double>, bool> done, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        Dictionary<string, double> scrape = await GetAsync(port, cancellationToken);
        while (!done(scrape) && !deadline.IsCancellationRequested)
        {
            await Task.Delay(20, cancellationToken);
            scrape = await GetAsync(port, cancellationToken);
        }

        return scrape;
    }
}
