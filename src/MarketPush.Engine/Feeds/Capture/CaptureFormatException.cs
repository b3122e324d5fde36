namespace MarketPush.Engine.Feeds.Capture;

/// <summary>
/// A capture file that cannot be read: a line that breaks <see cref="CaptureFormat"/>, or compressed data that is
/// corrupt or cut off. The message starts with the file and the position, e.g.
/// <c>feeds/day.csv.lz4: truncated LZ4 frame: the data ends at byte 81920 inside a frame</c> or
/// <c>feeds/day.csv: line 17 (byte 1033): unknown kind 'qoute'</c>. Events before the bad position were already
/// returned to the caller (a replay has played them).
/// </summary>
public sealed class CaptureFormatException : IOException
{
    public CaptureFormatException(string source, long line, long offset, bool compressedOffset, string problem, Exception? inner = null)
        : base(Describe(source, line, offset, compressedOffset, problem), inner)
    {
        Source = source;
        Line = line;
        Offset = offset;
        IsCompressedOffset = compressedOffset;
        Problem = problem;
    }

    /// <summary>The file (or stream name) being read.</summary>
    public new string Source { get; }

    /// <summary>1-based line of the problem, or 0 when the compressed data itself is bad.</summary>
    public long Line { get; }

    /// <summary>Byte offset of the problem: in the file when <see cref="IsCompressedOffset"/>, else in the CSV text.</summary>
    public long Offset { get; }

    /// <summary>True when <see cref="Offset"/> counts bytes of the compressed file (an LZ4 error).</summary>
    public bool IsCompressedOffset { get; }

    public string Problem { get; }

    private static string Describe(string source, long line, long offset, bool compressedOffset, string problem) =>
        compressedOffset || line == 0
            ? $"{source}: {problem} (byte {offset} of the file)"
            : $"{source}: line {line} (byte {offset}): {problem}";
}
