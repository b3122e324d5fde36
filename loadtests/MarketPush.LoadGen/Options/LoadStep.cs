using System.Globalization;

namespace MarketPush.LoadGen.Options;

/// <summary>
/// One step of a load simulation (<c>--load ramp:1000:5,keep:1000:15</c>): the connection count to reach or hold and
/// for how long. The runner's control thread evaluates <see cref="LoadSimulation.TargetAt"/> ten times a second.
/// </summary>
public readonly record struct LoadStep(LoadStepKind Kind, int Connections, double Seconds)
{
    /// <summary>The step as written on the command line (<c>ramp:1000:5</c>).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Kind == LoadStepKind.Ramp ? "ramp" : "keep")}:{Connections}:{Seconds}");
}
