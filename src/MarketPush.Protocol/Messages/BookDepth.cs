namespace MarketPush.Protocol.Messages;

/// <summary>
/// The book depth tiers a client may subscribe with (PROTOCOL.md `subscribe.depth`). Each tier is its own stream of
/// deltas, so every client of one tier shares the same encoded frames; the tier index addresses per-tier arrays.
/// </summary>
public static class BookDepth
{
    public const int Default = 10;
    public const int Max = 50;
    public const int TierCount = 5;

    // A static array, not a collection expression in the getter: Debug builds allocate a new array per call for
    // that, and the ingest path reads the tiers for every book update.
    private static readonly int[] s_tiers = [1, 5, 10, 20, 50];

    /// <summary>The tiers, smallest first: 1, 5, 10, 20, 50.</summary>
    public static ReadOnlySpan<int> Tiers => s_tiers;

    public static bool IsValid(long depth) => TierIndexOf(depth) >= 0;

    /// <summary>Index of <paramref name="depth"/> in <see cref="Tiers"/>, or -1 when it is not a tier.</summary>
    public static int TierIndexOf(long depth) => depth switch
    {
        1 => 0,
        5 => 1,
        10 => 2,
        20 => 3,
        50 => 4,
        _ => -1,
    };

    public static int GetTierIndex(int depth)
    {
        int index = TierIndexOf(depth);
        if (index < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "Book depth must be one of 1, 5, 10, 20, 50.");
        }

        return index;
    }
}
