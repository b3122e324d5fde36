namespace MarketPush.Engine.Feeds.Capture;

/// <summary>
/// LZ4 frame data that cannot be decoded: corrupt, truncated, or not an LZ4 frame at all. <see cref="Offset"/> is
/// the position in the compressed stream where the bad block (or the missing data) starts, so an operator can
/// tell a cut-off copy from a damaged one.
/// </summary>
public sealed class Lz4FrameException : IOException
{
    public Lz4FrameException(string problem, long offset)
        : base($"{problem} (byte {offset} of the compressed data)")
    {
        Problem = problem;
        Offset = offset;
    }

    /// <summary>What is wrong, without the position (e.g. <c>corrupt LZ4 data: ERROR_blockChecksum_invalid</c>).</summary>
    public string Problem { get; }

    /// <summary>Byte offset in the compressed stream.</summary>
    public long Offset { get; }
}
