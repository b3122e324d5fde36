using MarketPush.LoadGen.Measure;
using MarketPush.LoadGen.Options;

namespace MarketPush.LoadGen.Runner;

/// <summary>What the control thread collected during a run, handed to <see cref="ResultBuilder"/> once the workers stopped.</summary>
internal sealed class ResultInput
{
    public ResultInput(RunOptions options, ScenarioPlan plan, RunClock clock, IReadOnlyList<WorkerStats> workers, DateTimeOffset startedAt, string? serverName)
    {
        Options = options;
        Plan = plan;
        Clock = clock;
        Workers = workers;
        StartedAt = startedAt;
        ServerName = serverName;
    }

    public RunOptions Options { get; }

    public ScenarioPlan Plan { get; }

    public RunClock Clock { get; }

    public IReadOnlyList<WorkerStats> Workers { get; }

    public DateTimeOffset StartedAt { get; }

    public string? ServerName { get; }

    public int? ServerPid { get; init; }

    public ProcessSample? ServerBefore { get; init; }

    public ProcessSample? ServerWindowStart { get; init; }

    public ProcessSample? ServerWindowEnd { get; init; }

    public ProcessSample? SelfWindowStart { get; init; }

    public ProcessSample? SelfWindowEnd { get; init; }

    public Dictionary<string, double>? MetricsStart { get; init; }

    public Dictionary<string, double>? MetricsEnd { get; init; }

    public long OpenAtWindowEnd { get; init; }

    public IReadOnlyList<SecondSample> Seconds { get; init; } = [];

    public IReadOnlyDictionary<int, (long Connections, double? ServerCpu, double RunnerCpu, long? ServerRss)> ControlSamples { get; init; } =
        new Dictionary<int, (long, double?, double, long?)>();

    public List<string> Warnings { get; init; } = [];
}
