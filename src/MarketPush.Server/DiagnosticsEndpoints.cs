using System.Globalization;
using System.Runtime;
using System.Text.Json;

namespace MarketPush.Server;

/// <summary>
/// Endpoints for measurement scripts (loadtests/idle-memory.sh), mapped only with <c>--diagnostics</c>: they force
/// full garbage collections on request, so they must never be reachable on a production listener by default.
/// Called on a request thread; owns nothing.
/// </summary>
/// <remarks>
/// <c>POST /debug/gc</c> runs a forced, blocking, compacting full collection (the large object heap compacted too),
/// waits for pending finalizers, collects again (finalizers may have released more), and answers
/// <c>{"rssBytes":…,"managedBytes":…}</c> plus the GC's own view of the heap, so a script can read the process RSS
/// with only live objects left and tell managed from native growth.
/// </remarks>
internal static class DiagnosticsEndpoints
{
    public const string GcPath = "/debug/gc";

    public static void Map(WebApplication app) => app.MapPost(GcPath, CollectAsync);

    private static async Task CollectAsync(HttpContext context)
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteNumber("rssBytes", ReadRssBytes());
            json.WriteNumber("managedBytes", GC.GetTotalMemory(forceFullCollection: false));
            json.WriteNumber("heapSizeBytes", info.HeapSizeBytes);
            json.WriteNumber("fragmentedBytes", info.FragmentedBytes);
            json.WriteNumber("committedBytes", info.TotalCommittedBytes);
            json.WriteNumber("pinnedObjects", info.PinnedObjectsCount);
            json.WriteStartArray("generations"); // gen0, gen1, gen2, LOH, POH: live bytes and free space after this GC
            foreach (GCGenerationInfo generation in info.GenerationInfo)
            {
                json.WriteStartObject();
                json.WriteNumber("sizeBytes", generation.SizeAfterBytes);
                json.WriteNumber("fragmentedBytes", generation.FragmentationAfterBytes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length)).ConfigureAwait(false);
    }

    /// <summary>VmRSS from /proc/self/status (what the script reads), or the runtime's working set elsewhere.</summary>
    private static long ReadRssBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    string kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return Environment.WorkingSet;
    }
}
