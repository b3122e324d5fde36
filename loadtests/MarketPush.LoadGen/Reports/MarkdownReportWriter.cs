using System.Text;

namespace MarketPush.LoadGen.Reports;

/// <summary>The Markdown result of one run: the headline figures as a table, then counters and warnings.</summary>
public static class MarkdownReportWriter
{
    public static string Write(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.Append("# Load run: ").Append(result.Case).Append(" — ").Append(result.Label).AppendLine().AppendLine();
        md.Append("Scenario `").Append(result.Scenario).Append("` against `").Append(result.Settings.Url).Append("` (")
            .Append(result.ServerName ?? "server did not name itself").Append("), started ")
            .Append(result.StartedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture)).AppendLine(".");
        md.Append("Connections ").Append(result.Settings.Connections).Append(", symbols per connection ").Append(result.Settings.SymbolsPerConnection)
            .Append(" of ").Append(result.Settings.Symbols).Append(", load `").Append(result.Settings.Load).Append("`, warm-up ")
            .Append(ReportFormat.Number(result.Settings.WarmupSeconds)).Append(" s, window ").Append(ReportFormat.Number(result.WindowSeconds, "0.0"))
            .Append(" s").Append(result.Settings.Deflate ? ", permessage-deflate offered" : "").AppendLine(".").AppendLine();

        md.AppendLine("| metric | value |").AppendLine("| --- | --- |");
        foreach ((string name, string value) in Rows(result))
        {
            md.Append("| ").Append(name).Append(" | ").Append(value).AppendLine(" |");
        }

        if (result.ServerCounters is { Count: > 0 })
        {
            md.AppendLine().AppendLine("Server counters over the window (`--metrics-url`):").AppendLine();
            md.AppendLine("| series | delta |").AppendLine("| --- | --- |");
            foreach ((string series, double delta) in result.ServerCounters)
            {
                md.Append("| `").Append(series).Append("` | ").Append(ReportFormat.Number(delta, "0.###")).AppendLine(" |");
            }
        }

        if (result.Warnings.Count > 0)
        {
            md.AppendLine().AppendLine("Warnings:").AppendLine();
            foreach (string warning in result.Warnings)
            {
                md.Append("- ").AppendLine(warning);
            }
        }

        md.AppendLine().Append("Command: `MarketPush.LoadGen ").Append(result.Settings.CommandLine).AppendLine("`");
        return md.ToString();
    }

    /// <summary>The headline rows, shared with the HTML report.</summary>
    internal static IEnumerable<(string Name, string Value)> Rows(RunResult r)
    {
        yield return ("delivered", $"{ReportFormat.Rate(r.DeliveredPerSecond)} msg/s ({ReportFormat.Integer(r.DeliveredMessages)} quotes)"
            + (r.OfferedPerSecond is double offered ? $", offered {ReportFormat.Rate(offered)}/s" : ""));
        yield return ("expected by seq (delivered + gaps)", ReportFormat.Integer(r.ExpectedBySeq));
        yield return ("bytes received", $"{ReportFormat.Bytes(r.WireBytesPerSecond)}/s on the wire, {ReportFormat.Bytes(r.PayloadBytes / Math.Max(r.WindowSeconds, 1e-9))}/s inflated");
        yield return ("latency p50 / p90 / p99 / p99.9 / max (ms)", ReportFormat.Percentiles(r.LatencyMicros));
        yield return ("seq gaps (skipped updates)", ReportFormat.Integer(r.SeqGaps) + (r.SeqRegressions > 0 ? $", {ReportFormat.Integer(r.SeqRegressions)} out of order" : ""));
        yield return ("closes by the server, by code", ReportFormat.Counts(r.ClosesByCode));
        yield return ("connections", $"{ReportFormat.Integer(r.Connections.OpenAtEnd)} open at the end of {ReportFormat.Integer(r.Connections.Target)}; "
            + $"{ReportFormat.Integer(r.Connections.Opened)} handshakes, {ReportFormat.Integer(r.Connections.ConnectErrors)} connect errors, "
            + $"{ReportFormat.Integer(r.Connections.HandshakeFailures)} refused ({ReportFormat.Counts(r.Connections.HandshakeStatus)}), {ReportFormat.Integer(r.Connections.HandshakeTimeouts)} timeouts");
        yield return ("connect → 101, p50 / p90 / p99 / p99.9 / max (ms)", ReportFormat.Percentiles(r.Connections.HandshakeMicros));
        yield return ("connect → subscribed, p50 / p90 / p99 / p99.9 / max (ms)", ReportFormat.Percentiles(r.Connections.ReadyMicros));
        if (r.Connections.ChurnCycles > 0)
        {
            yield return ("churn cycles", $"{ReportFormat.Number(r.Connections.ChurnCyclesPerSecond)}/s ({ReportFormat.Integer(r.Connections.ChurnCycles)} in the run)");
        }

        if (r.Slow is SlowSummary slow)
        {
            yield return ("slow readers", $"{ReportFormat.Integer(slow.Connections)}; closed by the server: {ReportFormat.Integer(slow.ClosedByServer)} ({ReportFormat.Counts(slow.ClosesByCode)})");
        }

        if (r.Server is ServerUsage server)
        {
            yield return ("server CPU", $"{ReportFormat.Number(server.CpuPercent)}% of a core"
                + (server.CpuNanosPerDelivered is double ns ? $", {ReportFormat.Number(ns, "0")} ns per delivered message" : ""));
            yield return ("server RSS", $"{ReportFormat.Bytes(server.RssBeforeBytes)} before connecting, {ReportFormat.Bytes(server.RssEndBytes)} at the end"
                + (server.RssPerConnectionBytes is double perConnection ? $", {ReportFormat.Bytes(perConnection)} per connection" : ""));
            if (r.Scenario is "idle" or "churn" && server.CpuMicrosPerConnectionSecond is double idle)
            {
                yield return ("server CPU per connection", $"{ReportFormat.Number(idle, "0.###")} µs per second");
            }
        }
        else
        {
            yield return ("server CPU / RSS", "not measured (no --server-pid)");
        }

        yield return ("runner CPU", $"{ReportFormat.Number(r.Runner.CpuPercent)}% ({r.Runner.Threads} I/O threads, {r.Runner.ProcessorCount} CPUs)"
            + (r.Runner.CpuNanosPerMessage is double runnerNs ? $", {ReportFormat.Number(runnerNs, "0")} ns per message" : ""));
        if (r.PingRoundTripMicros is { } ping)
        {
            yield return ("client ping round trip (ms)", ReportFormat.Percentiles(ping));
        }

        if (r.Snapshots + r.UnexpectedSymbols + r.MalformedQuotes + r.ErrorReplies + r.Connections.ProtocolViolations > 0)
        {
            yield return ("oddities", $"{r.Snapshots} snapshots, {r.UnexpectedSymbols} unexpected symbols, {r.MalformedQuotes} malformed quotes, "
                + $"{r.ErrorReplies} error replies, {r.Connections.ProtocolViolations} protocol violations");
        }

        yield return ("server pings answered / heartbeats", $"{ReportFormat.Integer(r.ServerPings)} / {ReportFormat.Integer(r.Heartbeats)}");
    }
}
