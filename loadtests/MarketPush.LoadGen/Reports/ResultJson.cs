using System.Text.Json;
using System.Text.Json.Serialization;

namespace MarketPush.LoadGen.Reports;

/// <summary>The JSON form of a <see cref="RunResult"/> (camelCase, indented, nulls omitted): written per run, read by the summary.</summary>
public static class ResultJson
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(RunResult result) => JsonSerializer.Serialize(result, s_options);

    public static RunResult Deserialize(string json) =>
        JsonSerializer.Deserialize<RunResult>(json, s_options) ?? throw new JsonException("empty result file");
}
