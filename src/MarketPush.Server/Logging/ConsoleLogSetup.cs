using System.Text.Json;

namespace MarketPush.Server.Logging;

/// <summary>
/// Chooses the console formatter for <c>--log-format</c>, once, while the host is built. Text keeps the default
/// console formatter; JSON uses the built-in JSON console formatter so log shippers (Loki, Elasticsearch, Vector)
/// can parse every line without a custom grammar. No logic beyond options.
/// </summary>
internal static class ConsoleLogSetup
{
    // ISO-8601 in UTC with an explicit Z: sortable as text and unambiguous across hosts in different time zones.
    public const string JsonTimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'";

    public static void Configure(ILoggingBuilder logging, LogFormat format)
    {
        ArgumentNullException.ThrowIfNull(logging);
        if (format != LogFormat.Json)
        {
            return;
        }

        // The console provider the builder already has switches to the "json" formatter; no second console writer.
        logging.AddJsonConsole(json =>
        {
            json.UseUtcTimestamp = true;
            json.TimestampFormat = JsonTimestampFormat;
            json.IncludeScopes = false;
            // One object per line: an indented object would span lines and break line-oriented shippers.
            json.JsonWriterOptions = new JsonWriterOptions { Indented = false };
        });
    }
}
