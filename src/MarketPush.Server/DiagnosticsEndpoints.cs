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
/// <para>
/// The second collection is <see cref="GCCollectionMode.Aggressive"/> (still forced, blocking and compacting): it
/// also decommits the free regions the GC otherwise keeps committed as allocation budget after a full GC. That budget
/// is sized from the L3 cache and the heap (15–20 MB on the 2-core test machines, whatever the connection count), so
/// without this the "after GC" RSS would depend on GC history more than on what is live.
/// <c>?mode=forced</c> keeps the second collection <see cref="GCCollectionMode.Forced"/> to see the difference
/// (loadtests/results/idle-memory.md has both).
/// </para>
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
        bool aggressive = context.Request.Query["mode"] != "forced";
        GC.Collect(GC.MaxGeneration, aggressive ? GCCollectionMode.Aggressive : GCCollectionMode.Forced, blocking: true, compacting: true);

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
            json.WriteString("secondCollection", aggressive ? "aggressive" : "forced");
            json.WriteNumber("allocatedBytes", GC.GetTotalAllocatedBytes());
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
