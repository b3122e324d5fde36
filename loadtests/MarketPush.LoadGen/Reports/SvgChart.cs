using System.Globalization;
using System.Net;
using System.Text;

namespace MarketPush.LoadGen.Reports;

/// <summary>
/// A small line chart rendered as inline SVG for the HTML report: several series over seconds, linear or log10 y axis,
/// grid lines with labels, a legend, and an optional shaded warm-up band. No script and no external resource, so the
/// report opens anywhere, offline. Built and rendered by <see cref="HtmlReportWriter"/> on the main thread.
/// </summary>
internal sealed class SvgChart
{
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 30;
    private const int Bottom = 40;

    private readonly string _title;
    private readonly string _yLabel;
    private readonly bool _logScale;
    private readonly List<(string Name, string Color, IReadOnlyList<(double X, double Y)> Points)> _series = [];

    public SvgChart(string title, string yLabel, bool logScale)
    {
        _title = title;
        _yLabel = yLabel;
        _logScale = logScale;
    }

    /// <summary>x below this is shaded as warm-up (excluded from the results).</summary>
    public double? ShadeUntilX { get; set; }

    public void AddSeries(string name, string color, IReadOnlyList<(double X, double Y)> points) => _series.Add((name, color, points));

    public string Render(int width = 900, int height = 280)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Escape(_title)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{Escape(_title)}</text>");

        var all = _series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y) && (!_logScale || p.Y > 0)).ToList();
        if (all.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{height / 2}\" font-size=\"13\" fill=\"#666\">no data</text></svg>");
            return svg.ToString();
        }

        double xMax = Math.Max(1, all.Max(p => p.X));
        (double yMin, double yMax) = _logScale ? LogRange(all) : (0, NiceCeiling(all.Max(p => p.Y)));
        double plotWidth = width - Left - Right;
        double plotHeight = height - Top - Bottom;
        double X(double x) => Left + (x / xMax * plotWidth);
        double Y(double y)
        {
            double fraction = _logScale
                ? (Math.Log10(Math.Max(y, yMin)) - Math.Log10(yMin)) / (Math.Log10(yMax) - Math.Log10(yMin))
                : (y - yMin) / (yMax - yMin);
            return Top + plotHeight - (Math.Clamp(fraction, 0, 1) * plotHeight);
        }

        if (ShadeUntilX is double shade && shade > 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{F(X(Math.Min(shade, xMax)) - Left)}\" height=\"{F(plotHeight)}\" fill=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 4}\" y=\"{Top + 14}\" font-size=\"11\" fill=\"#888\">warm-up</text>");
        }

        // Horizontal grid and y labels.
        foreach (double tick in YTicks(yMin, yMax))
        {
            double y = Y(tick);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{width - Right}\" y2=\"{F(y)}\" stroke=\"#ddd\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" font-size=\"11\" text-anchor=\"end\">{Escape(TickLabel(tick))}</text>");
        }

        // Vertical grid every few seconds.
        double xStep = NiceStep(xMax / 10);
        for (double x = 0; x <= xMax + 1e-9; x += xStep)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(x))}\" y1=\"{Top}\" x2=\"{F(X(x))}\" y2=\"{Top + plotHeight}\" stroke=\"#f0f0f0\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(x))}\" y=\"{F(Top + plotHeight + 16)}\" font-size=\"11\" text-anchor=\"middle\">{F(x)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + (plotWidth / 2))}\" y=\"{height - 6}\" font-size=\"11\" text-anchor=\"middle\">seconds since the load started</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{F(Top + (plotHeight / 2))}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 14 {F(Top + (plotHeight / 2))})\">{Escape(_yLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{F(plotWidth)}\" height=\"{F(plotHeight)}\" fill=\"none\" stroke=\"#999\"/>");

        int legendX = width - Right - 10;
        for (int i = _series.Count - 1; i >= 0; i--)
        {
            (string name, string color, IReadOnlyList<(double X, double Y)> points) = _series[i];
            var path = new StringBuilder();
            foreach ((double x, double y) in points)
            {
                if (!double.IsFinite(y) || (_logScale && y <= 0))
                {
                    continue;
                }

                path.Append(path.Length == 0 ? "M" : " L").Append(F(X(x))).Append(',').Append(F(Y(y)));
            }

            if (path.Length > 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\"/>");
            }

            int textWidth = (name.Length * 7) + 24;
            legendX -= textWidth;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{legendX}\" y1=\"18\" x2=\"{legendX + 16}\" y2=\"18\" stroke=\"{color}\" stroke-width=\"3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{legendX + 20}\" y=\"22\" font-size=\"11\">{Escape(name)}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    internal static double NiceCeiling(double value)
    {
        if (value <= 0 || !double.IsFinite(value))
        {
            return 1;
        }

        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in (ReadOnlySpan<double>)[1, 2, 2.5, 5, 10])
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static double NiceStep(double rough) => NiceCeiling(Math.Max(rough, 1e-9));

    private static (double Min, double Max) LogRange(List<(double X, double Y)> points)
    {
        double min = points.Min(p => p.Y);
        double max = points.Max(p => p.Y);
        double low = Math.Pow(10, Math.Floor(Math.Log10(min)));
        double high = Math.Pow(10, Math.Ceiling(Math.Log10(max)));
        return (low, high <= low ? low * 10 : high);
    }

    private IEnumerable<double> YTicks(double min, double max)
    {
        if (_logScale)
        {
            for (double tick = min; tick <= max * 1.0001; tick *= 10)
            {
                yield return tick;
            }

            yield break;
        }

        double step = NiceStep(max / 5);
        for (double tick = 0; tick <= max + (step / 1000); tick += step)
        {
            yield return tick;
        }
    }

    private static string TickLabel(double value) => value switch
    {
        >= 1e6 => (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (value / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
