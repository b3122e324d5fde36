namespace MarketPush.LoadGen.Options;

/// <summary>How a <see cref="LoadStep"/> moves the number of open connections.</summary>
public enum LoadStepKind
{
    /// <summary>Linearly from the previous step's target (0 at the start) to this step's target.</summary>
    Ramp,

    /// <summary>Holds this step's target for the whole step.</summary>
    KeepConstant,
}
