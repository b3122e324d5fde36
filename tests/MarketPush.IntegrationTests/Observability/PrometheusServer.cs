using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Xunit.Sdk;

namespace MarketPush.IntegrationTests.Observability;

/// <summary>
/// A real Prometheus (Debian's <c>/usr/bin/prometheus</c>) run as a child process for one test: on 127.0.0.1 with a
/// free port, a fresh TSDB in a temp directory, and a configuration made from <c>dashboards/prometheus.yml</c> with
/// the scrape target pointed at the test's server, a 1 s scrape interval and the real <c>alerts.yml</c> beside it.
/// </summary>
/// <remarks>
/// Owns the process and the temp directory: disposing kills the process (whole tree) and deletes the directory,
/// whatever state the test left. A missing executable fails the test with the command that installs it (never a
/// skip: this test is what proves the dashboard against a real Prometheus). Every HTTP call is bounded by the
/// caller's token and a per-request timeout. Called from the test's thread only.
/// </remarks>
internal sealed class PrometheusServer : IDisposable
{
    public const string DebianExecutable = "/usr/bin/prometheus";
    public const string JobName = "marketpush";

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http;
    private readonly StringBuilder _log = new();

    private PrometheusServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = s_requestTimeout };
    }

    public int Port { get; }

    /// <summary>The last lines Prometheus logged (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.Length > 4_000 ? "…" + _log.ToString(_log.Length - 4_000, 4_000) : _log.ToString();
            }
        }
    }

    /// <summary>Starts Prometheus scraping <c>127.0.0.1:<paramref name="targetPort"/></c> and waits for <c>/-/ready</c>.</summary>
    public static async Task<PrometheusServer> StartAsync(string dashboardsDirectory, int targetPort, CancellationToken cancellationToken)
    {
        if (!File.Exists(DebianExecutable))
        {
            throw new XunitException(
                $"{DebianExecutable} not found: install Debian package 'prometheus' (tests/run-all.sh does: apt-get install -y prometheus).");
        }

        string directory = Directory.CreateTempSubdirectory("marketpush-prometheus-").FullName;
        PrometheusServer? server = null;
        try
        {
            string config = ScrapeConfig(File.ReadAllText(Path.Combine(dashboardsDirectory, "prometheus.yml")), targetPort);
            File.WriteAllText(Path.Combine(directory, "prometheus.yml"), config);
            File.Copy(Path.Combine(dashboardsDirectory, "alerts.yml"), Path.Combine(directory, "alerts.yml"));

            int port = FreeLoopbackPort();
            var start = new ProcessStartInfo(DebianExecutable)
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("--config.file=" + Path.Combine(directory, "prometheus.yml"));
            start.ArgumentList.Add("--storage.tsdb.path=" + Path.Combine(directory, "data"));
            start.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
            start.ArgumentList.Add("--log.level=warn");

            var process = new Process { StartInfo = start };
            server = new PrometheusServer(process, directory, port);
            process.OutputDataReceived += server.OnOutput;
            process.ErrorDataReceived += server.OnOutput;
            if (!process.Start())
            {
                throw new XunitException($"{DebianExecutable} did not start");
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await server.WaitUntilReadyAsync(cancellationToken);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                server.Dispose();
            }
            else
            {
                DeleteDirectory(directory);
            }

            throw;
        }
    }

    /// <summary>
    /// dashboards/prometheus.yml with the intervals shortened for a test (1 s scrapes and rule evaluations; the
    /// timeout may not exceed the interval) and the target moved to the test server. Each replacement must find its
    /// text, so a reshaped prometheus.yml fails here with a reason instead of scraping the wrong thing.
    /// </summary>
    public static string ScrapeConfig(string shippedConfig, int targetPort)
    {
        string config = shippedConfig;
        foreach ((string pattern, string replacement) in new[]
        {
            (@"(?m)^(\s*scrape_interval:\s*)\S+", "${1}1s"),
            (@"(?m)^(\s*scrape_timeout:\s*)\S+", "${1}1s"),
            (@"(?m)^(\s*evaluation_interval:\s*)\S+", "${1}1s"),
            (@"""127\.0\.0\.1:8080""", $"\"127.0.0.1:{targetPort.ToString(CultureInfo.InvariantCulture)}\""),
        })
        {
            string replaced = System.Text.RegularExpressions.Regex.Replace(config, pattern, replacement);
            if (replaced == config)
            {
                throw new XunitException($"dashboards/prometheus.yml no longer matches /{pattern}/: update {nameof(PrometheusServer)}.{nameof(ScrapeConfig)}.");
            }

            config = replaced;
        }

        return config;
    }

    /// <summary>GET /api/v1/query at the current time: the raw result, never throwing for a PromQL error.</summary>
    public async Task<PrometheusQueryResult> QueryAsync(string promQl, CancellationToken cancellationToken)
    {
        using JsonDocument body = await GetJsonAsync("api/v1/query?query=" + Uri.EscapeDataString(promQl), cancellationToken);
        return PrometheusQueryResult.From(body.RootElement);
    }

    /// <summary>The value of a query that must return exactly one sample (NaN when it returned none).</summary>
    public async Task<double> QueryScalarAsync(string promQl, CancellationToken cancellationToken)
    {
        PrometheusQueryResult result = await QueryAsync(promQl, cancellationToken);
        return result.Values.Count == 1 ? result.Values[0] : double.NaN;
    }

    /// <summary>The state of the scrape target: health ("up", "down", "unknown") and the last scrape error.</summary>
    public async Task<(string Health, string LastError)> TargetAsync(CancellationToken cancellationToken)
    {
        using JsonDocument body = await GetJsonAsync("api/v1/targets?state=active", cancellationToken);
        foreach (JsonElement target in body.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray())
        {
            if (target.GetProperty("labels").GetProperty("job").GetString() == JobName)
            {
                return (target.GetProperty("health").GetString()!, target.GetProperty("lastError").GetString() ?? string.Empty);
            }
        }

        return ("missing", "no active target for job " + JobName);
    }

    /// <summary>Every alerting rule Prometheus loaded: name, evaluation health and last error, state.</summary>
    public async Task<List<(string Name, string Health, string LastError, string State)>> AlertRulesAsync(CancellationToken cancellationToken)
    {
        using JsonDocument body = await GetJsonAsync("api/v1/rules?type=alert", cancellationToken);
        var rules = new List<(string, string, string, string)>();
        foreach (JsonElement group in body.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray())
        {
            foreach (JsonElement rule in group.GetProperty("rules").EnumerateArray())
            {
                rules.Add((
                    rule.GetProperty("name").GetString()!,
                    rule.GetProperty("health").GetString()!,
                    rule.TryGetProperty("lastError", out JsonElement error) ? error.GetString() ?? string.Empty : string.Empty,
                    rule.GetProperty("state").GetString()!));
            }
        }

        return rules;
    }

    /// <summary>
    /// Waits until Prometheus holds at least <paramref name="scrapes"/> successful scrapes of the target; fails with the
    /// target's state if that takes longer than the scrapes should (1 s each) plus 15 s.
    /// </summary>
    public async Task WaitForScrapesAsync(int scrapes, CancellationToken cancellationToken)
    {
        string query = $"sum_over_time(up{{job=\"{JobName}\"}}[5m])";
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(scrapes + 15));
        double done = 0;
        try
        {
            while (!((done = await QueryScalarAsync(query, bounded.Token)) >= scrapes))
            {
                await Task.Delay(250, bounded.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (string health, string lastError) = await TargetAsync(cancellationToken);
            throw new XunitException(
                $"prometheus made {done} successful scrapes, not {scrapes}, in time: target health '{health}', last error '{lastError}'\n{Log}");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped.
        }
        finally
        {
            _process.Dispose();
            _http.Dispose();
            DeleteDirectory(_directory);
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var ready = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ready.CancelAfter(s_readyTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new XunitException($"prometheus exited with code {_process.ExitCode} before it was ready:\n{Log}");
            }

            try
            {
                using HttpResponseMessage response = await _http.GetAsync("-/ready", ready.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (ready.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new XunitException($"prometheus was not ready within {s_readyTimeout.TotalSeconds} s:\n{Log}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private async Task<JsonDocument> GetJsonAsync(string relativeUri, CancellationToken cancellationToken)
    {
        // Prometheus answers PromQL errors with 400/422 and a JSON body saying why: read the body whatever the status.
        using HttpResponseMessage response = await _http.GetAsync(relativeUri, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw new XunitException($"prometheus answered {(int)response.StatusCode} to {relativeUri} with non-JSON: {text}");
        }
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(e.Data);
            if (_log.Length > 64 * 1024)
            {
                _log.Remove(0, _log.Length - (16 * 1024));
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        // Bound and released at once: another process could take it in between, in which case Prometheus exits with
        // "address already in use" and the failure message shows it.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void DeleteDirectory(string directory)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(200); // the killed process may still hold a file for a moment
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(200);
            }
        }
    }
}
