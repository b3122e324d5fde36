namespace MarketPush.Engine.Metrics;

/// <summary>
/// Every metric name MarketPush exports, exactly as it appears on <c>/metrics</c> and in PromQL. dashboards/
/// (Grafana panels, alert rules) may use only these names; a test parses every dashboard and rule expression
/// and fails on any other.
/// </summary>
/// <remarks>
/// Names follow STYLE.md: <c>marketpush_&lt;stage&gt;_&lt;what&gt;_&lt;unit&gt;</c>, base units (seconds, bytes), counters end
/// in <c>_total</c>. The instrument name on the <c>MarketPush</c> meter is the exported name itself, so what a
/// <c>MeterListener</c> (dotnet-counters) shows and what Prometheus stores are the same string. A histogram's
/// name is its base name: Prometheus sees <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series under it.
/// The <c>process_*</c> names are the ones every Prometheus client library uses, so stock dashboards work.
/// </remarks>
public static class MetricNames
{
    // Transport: handshakes, connections, socket writes (the send loop).

    /// <summary>Gauge: WebSocket connections currently open (upgraded, not yet closed).</summary>
    public const string TransportOpenConnections = "marketpush_transport_open_connections";

    /// <summary>Gauge: the configured connection limit, 0 = unlimited (exported from startup); alerts compare the open count to it.</summary>
    public const string TransportConnectionLimit = "marketpush_transport_connection_limit";

    /// <summary>Counter by <c>result</c>: upgrade requests and how they were answered (101 or the refusal).</summary>
    public const string TransportHandshakesTotal = "marketpush_transport_handshakes_total";

    /// <summary>Counter by <c>encoding</c>, <c>compressed</c>: WebSocket messages written to sockets.</summary>
    public const string TransportSentMessagesTotal = "marketpush_transport_sent_messages_total";

    /// <summary>Counter by <c>encoding</c>, <c>compressed</c>: bytes of those messages on the wire (frame headers included).</summary>
    public const string TransportSentBytesTotal = "marketpush_transport_sent_bytes_total";

    /// <summary>Histogram: frames carried by one socket write (PERFORMANCE-NOTES: frames per write decides throughput).</summary>
    public const string TransportWriteFrames = "marketpush_transport_write_frames";

    /// <summary>Histogram, seconds: feed <c>ts</c> of a tick to the socket write that carries it to one client.</summary>
    public const string TransportTickAgeSeconds = "marketpush_transport_tick_age_seconds";

    // Sessions: logical clients, their queues and why they end.

    /// <summary>Counter by <c>code</c>, <c>reason</c>: sessions ended, by close code and named disconnect reason.</summary>
    public const string SessionClosesTotal = "marketpush_session_closes_total";

    /// <summary>Gauge: active (symbol, channel) subscriptions summed over all sessions.</summary>
    public const string SessionSubscriptions = "marketpush_session_subscriptions";

    /// <summary>Histogram: frames waiting in a session's outbound queue when its send loop wakes up.</summary>
    public const string SessionOutboundQueueFrames = "marketpush_session_outbound_queue_frames";

    /// <summary>Counter by <c>reason</c>: updates replaced by a newer one for the same symbol and channel before being sent.</summary>
    public const string SessionConflatedUpdatesTotal = "marketpush_session_conflated_updates_total";

    /// <summary>Counter by <c>reason</c>: frames not queued for a session at all.</summary>
    public const string SessionDroppedUpdatesTotal = "marketpush_session_dropped_updates_total";

    /// <summary>Counter by <c>reason</c>: sessions closed with 4001 because they read too slowly.</summary>
    public const string SessionSlowConsumerClosesTotal = "marketpush_session_slow_consumer_closes_total";

    // Feeds and ingest.

    /// <summary>Counter by <c>feed</c>: updates received from a feed adapter.</summary>
    public const string FeedReceivedUpdatesTotal = "marketpush_feed_received_updates_total";

    /// <summary>Gauge by <c>feed</c>, seconds: feed <c>ts</c> of the latest update to the moment the server received it.</summary>
    public const string FeedLagSeconds = "marketpush_feed_lag_seconds";

    /// <summary>Gauge by <c>feed</c>, seconds: time since the feed's latest update (since registration if none yet).</summary>
    public const string FeedStalenessSeconds = "marketpush_feed_staleness_seconds";

    /// <summary>Gauge by <c>feed</c>: updates waiting in the feed's bounded ingest channel.</summary>
    public const string IngestQueuedUpdates = "marketpush_ingest_queued_updates";

    /// <summary>Counter by <c>feed</c>: updates the full ingest channel dropped.</summary>
    public const string IngestDroppedUpdatesTotal = "marketpush_ingest_dropped_updates_total";

    // Compression (permessage-deflate, once per message per wire variant).

    /// <summary>Counter: messages compressed.</summary>
    public const string CompressionMessagesTotal = "marketpush_compression_messages_total";

    /// <summary>Counter: bytes given to the compressor.</summary>
    public const string CompressionInputBytesTotal = "marketpush_compression_input_bytes_total";

    /// <summary>Counter: bytes the compressor produced.</summary>
    public const string CompressionOutputBytesTotal = "marketpush_compression_output_bytes_total";

    // .NET runtime, read from the runtime's own "System.Runtime" meter (see RuntimeMetricMap).

    /// <summary>Counter by <c>generation</c> (gen0, gen1, gen2): collections of exactly that generation.</summary>
    public const string RuntimeGcCollectionsTotal = "marketpush_runtime_gc_collections_total";

    /// <summary>Counter: bytes allocated on the managed heap since the process started.</summary>
    public const string RuntimeGcAllocatedBytesTotal = "marketpush_runtime_gc_allocated_bytes_total";

    /// <summary>Gauge by <c>generation</c> (gen0, gen1, gen2, loh, poh): heap size after the last collection.</summary>
    public const string RuntimeGcHeapBytes = "marketpush_runtime_gc_heap_bytes";

    /// <summary>Gauge: memory the GC had committed at the last collection.</summary>
    public const string RuntimeGcCommittedBytes = "marketpush_runtime_gc_committed_bytes";

    /// <summary>Counter: time the runtime was paused for GC.</summary>
    public const string RuntimeGcPauseSecondsTotal = "marketpush_runtime_gc_pause_seconds_total";

    /// <summary>Gauge: thread-pool threads.</summary>
    public const string RuntimeThreadPoolThreads = "marketpush_runtime_threadpool_threads";

    /// <summary>Gauge: work items queued to the thread pool and not yet started.</summary>
    public const string RuntimeThreadPoolQueuedItems = "marketpush_runtime_threadpool_queued_items";

    /// <summary>Counter: work items the thread pool completed.</summary>
    public const string RuntimeThreadPoolCompletedItemsTotal = "marketpush_runtime_threadpool_completed_items_total";

    /// <summary>Counter: times a thread waited for a contended Monitor lock.</summary>
    public const string RuntimeLockContentionsTotal = "marketpush_runtime_lock_contentions_total";

    /// <summary>Counter: exceptions thrown (the exception type label is dropped to keep cardinality low).</summary>
    public const string RuntimeExceptionsTotal = "marketpush_runtime_exceptions_total";

    /// <summary>Counter: methods the JIT compiled.</summary>
    public const string RuntimeJitCompiledMethodsTotal = "marketpush_runtime_jit_compiled_methods_total";

    // Process, under the names Prometheus client libraries use.

    /// <summary>Counter: user plus system CPU time of the process.</summary>
    public const string ProcessCpuSecondsTotal = "process_cpu_seconds_total";

    /// <summary>Gauge: resident set size (working set) of the process.</summary>
    public const string ProcessResidentMemoryBytes = "process_resident_memory_bytes";

    /// <summary>Gauge: process start time in seconds since the Unix epoch.</summary>
    public const string ProcessStartTimeSeconds = "process_start_time_seconds";

    /// <summary>Gauge: open file descriptors (Linux only; every socket is one).</summary>
    public const string ProcessOpenFds = "process_open_fds";
}
