using System.Globalization;
using System.Text.Json;

namespace MarketPush.IntegrationTests.Observability;

/// <summary>
/// One answer of Prometheus's <c>/api/v1/query</c>: status, the error if any, and the sample values (one per series
/// of a vector, one for a scalar). What Grafana would draw is exactly these values: none is "No data", and a
/// series whose only value is NaN (a 0/0 ratio, a quantile of empty buckets) is a gap.
/// </summary>
internal sealed record PrometheusQueryResult(string Status, string? Error, string ResultType, IReadOnlyList<double> Values)
{
    public bool IsSuccess => Status == "success";

    /// <summary>At least one series with a real number: a panel that shows something.</summary>
    public bool HasData => Values.Any(v => !double.IsNaN(v));

    public static PrometheusQueryResult From(JsonElement body)
    {
        string status = body.GetProperty("status").GetString() ?? "missing";
        if (status != "success")
        {
            string error = (body.TryGetProperty("errorType", out JsonElement type) ? type.GetString() + ": " : string.Empty)
                + (body.TryGetProperty("error", out JsonElement message) ? message.GetString() : "no error text");
            return new PrometheusQueryResult(status, error, string.Empty, []);
        }

        JsonElement data = body.GetProperty("data");
        string resultType = data.GetProperty("resultType").GetString()!;
        JsonElement result = data.GetProperty("result");
        var values = new List<double>();
        switch (resultType)
        {
            case "vector":
                foreach (JsonElement series in result.EnumerateArray())
                {
                    values.Add(Sample(series.GetProperty("value")));
                }

                break;
            case "scalar":
                values.Add(Sample(result));
                break;
            case "matrix":
                foreach (JsonElement series in result.EnumerateArray())
                {
                    JsonElement[] points = [.. series.GetProperty("values").EnumerateArray()];
                    if (points.Length > 0)
                    {
                        values.Add(Sample(points[^1]));
                    }
                }

                break;
        }

        return new PrometheusQueryResult(status, null, resultType, values);
    }

    public override string ToString() =>
        IsSuccess
            ? $"{ResultType} of {Values.Count}: [{string.Join(", ", Values.Take(8).Select(v => v.ToString("G4", CultureInfo.InvariantCulture)))}{(Values.Count > 8 ? ", …" : string.Empty)}]"
            : $"{Status}: {Error}";

    // A sample is [unix time, "value"]; Prometheus writes NaN and infinities as "NaN", "+Inf", "-Inf".
    private static double Sample(JsonElement pair) =>
        pair[1].GetString() switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            string text => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            null => double.NaN,
        };
}
