namespace MarketPush.Server.Logging;

/// <summary>
/// How the console log is written (<c>--log-format</c>): human-readable text, or one JSON object per line for log
/// shippers (the built-in JSON console formatter, UTC ISO-8601 timestamps). Chosen once at startup.
/// </summary>
public enum LogFormat
{
    /// <summary>The default console formatter: a level and category line, then the message.</summary>
    Text,

    /// <summary>One JSON object per line: Timestamp, EventId, LogLevel, Category, Message, State.</summary>
    Json,
}
