using System.Buffers;

namespace MarketPush.Benchmarks;

/// <summary>
/// A linked memory segment, to present one byte buffer to the frame reader the way a pipe does: as a
/// <see cref="ReadOnlySequence{T}"/> of fixed-size segments, so frames and headers straddle segment boundaries.
/// Built once in benchmark setup; the sequence over it is a struct and reading it allocates nothing.
/// </summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    private BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>Splits <paramref name="data"/> into segments of <paramref name="segmentBytes"/> (the last may be shorter).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, int segmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 1);
        var first = new BufferSegment(data.AsMemory(0, Math.Min(segmentBytes, data.Length)), 0);
        BufferSegment last = first;
        for (int start = segmentBytes; start < data.Length; start += segmentBytes)
        {
            var next = new BufferSegment(data.AsMemory(start, Math.Min(segmentBytes, data.Length - start)), start);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
