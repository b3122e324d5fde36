using System.Buffers;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s the way a pipe hands split data to a reader.</summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> FromSegments(IReadOnlyList<ReadOnlyMemory<byte>> segments)
    {
        if (segments.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(segments[0], 0);
        Segment last = first;
        for (int i = 1; i < segments.Count; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="data"/> at the given ascending offsets (repeats give empty segments).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var segments = new List<ReadOnlyMemory<byte>>(cuts.Length + 1);
        int start = 0;
        foreach (int cut in cuts)
        {
            segments.Add(data.AsMemory(start, cut - start));
            start = cut;
        }

        segments.Add(data.AsMemory(start));
        return FromSegments(segments);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data)
    {
        var segments = new List<ReadOnlyMemory<byte>>(data.Length);
        for (int i = 0; i < data.Length; i++)
        {
            segments.Add(data.AsMemory(i, 1));
        }

        return FromSegments(segments);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
