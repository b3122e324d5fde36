using System.Reflection;

namespace MarketPush.Server;

/// <summary>
/// Serves the demo UI at <c>/</c>: one static page, embedded in the assembly so that `dotnet run` and a published
/// binary serve it without a content root. Read once at startup; the page itself talks to <c>/v1/stream</c>.
/// </summary>
internal static class DemoUiEndpoint
{
    private const string ResourceName = "MarketPush.Server.DemoUi.index.html";

    public static void Map(WebApplication app)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"demo UI resource {ResourceName} is missing from the build");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        byte[] page = memory.ToArray();
        app.MapGet("/", () => Results.Bytes(page, "text/html; charset=utf-8"));
    }
}
