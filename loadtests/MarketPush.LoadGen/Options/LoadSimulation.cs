using System.Globalization;

namespace MarketPush.LoadGen.Options;

/// <summary>
/// The connection-count schedule of a run, NBomber-style: a sequence of ramp and keep-constant steps. Immutable;
/// read by the control thread of <see cref="Runner.LoadRunner"/>.
/// </summary>
public sealed class LoadSimulation
{
    public LoadSimulation(IReadOnlyList<LoadStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
        {
            throw new ArgumentException("A load simulation needs at least one step.", nameof(steps));
        }

        Steps = steps;
        TotalSeconds = steps.Sum(s => s.Seconds);
        MaxConnections = steps.Max(s => s.Connections);
    }

    public IReadOnlyList<LoadStep> Steps { get; }

    public double TotalSeconds { get; }

    public int MaxConnections { get; }

    /// <summary>
    /// Parses <c>ramp:N:S</c> / <c>keep:N:S</c> steps separated by commas (N connections, S seconds, S &gt; 0).
    /// Throws <see cref="LoadGenOptionsException"/> naming <c>--load</c>.
    /// </summary>
    public static LoadSimulation Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var steps = new List<LoadStep>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] fields = part.Split(':');
            if (fields.Length != 3)
            {
                throw new LoadGenOptionsException("--load", $"'{part}' is not kind:connections:seconds");
            }

            LoadStepKind kind = fields[0] switch
            {
                "ramp" => LoadStepKind.Ramp,
                "keep" or "keep-constant" => LoadStepKind.KeepConstant,
                _ => throw new LoadGenOptionsException("--load", $"'{fields[0]}' is not ramp or keep"),
            };
            if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int connections) || connections > 100_000)
            {
                throw new LoadGenOptionsException("--load", $"'{fields[1]}' is not a connection count (0..100000)");
            }

            if (!double.TryParse(fields[2], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0 || seconds > 3600)
            {
                throw new LoadGenOptionsException("--load", $"'{fields[2]}' is not a duration in seconds (0..3600]");
            }

            steps.Add(new LoadStep(kind, connections, seconds));
        }

        if (steps.Count == 0)
        {
            throw new LoadGenOptionsException("--load", "needs at least one step");
        }

        return new LoadSimulation(steps);
    }

    /// <summary>The connection count wanted <paramref name="elapsedSeconds"/> after the start (the last target afterwards).</summary>
    public int TargetAt(double elapsedSeconds)
    {
        int previous = 0;
        double stepStart = 0;
        foreach (LoadStep step in Steps)
        {
            double stepEnd = stepStart + step.Seconds;
            if (elapsedSeconds < stepEnd)
            {
                if (step.Kind == LoadStepKind.KeepConstant)
                {
                    return step.Connections;
                }

                double fraction = Math.Max(0, elapsedSeconds - stepStart) / step.Seconds;
                return (int)Math.Round(previous + ((step.Connections - previous) * fraction));
            }

            previous = step.Connections;
            stepStart = stepEnd;
        }

        return previous;
    }

    public override string ToString() => string.Join(',', Steps);
}
