namespace MarketPush.LoadGen.Reports;

/// <summary>Writes one run's three result files (JSON, Markdown, HTML) side by side; returns their paths.</summary>
public static class ResultFiles
{
    public static string[] Write(RunResult result, string directory, string stem)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        string json = Path.Combine(directory, stem + ".json");
        string markdown = Path.Combine(directory, stem + ".md");
        string html = Path.Combine(directory, stem + ".html");
        File.WriteAllText(json, ResultJson.Serialize(result));
        File.WriteAllText(markdown, MarkdownReportWriter.Write(result));
        File.WriteAllText(html, HtmlReportWriter.Write(result));
        return [json, markdown, html];
    }
}
