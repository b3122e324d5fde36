using System.Buffers;
using System.Collections.Concurrent;

namespace MarketPush.Benchmarks;

/// <summary>
/// The memory pool behind <see cref="InMemoryConnection"/>'s pipes, standing in for the one Kestrel's socket
/// transport gives its pipes (its internal PinnedBlockMemoryPool): fixed 4 KiB blocks kept in a queue however many
/// are out at once, so a block is reused, never re-allocated, in steady state. Any thread rents (the send loops) and
/// returns (the pipe, when the benchmark consumes what was written).
/// </summary>
/// <remarks>
/// Why not the pipe's default, <see cref="MemoryPool{T}.Shared"/>: it wraps <see cref="ArrayPool{T}.Shared"/>, which
/// keeps a bounded number of arrays per size and core and drops the rest on return. With 100 connections' blocks in
/// flight at once on a 2-core machine, 36 of the 100 4 KiB arrays were dropped and re-allocated on every operation
/// (148,320 B per update, 36 × 4,120 B), an artefact of the benchmark's transport that the server's socket transport
/// does not have.
/// </remarks>
internal sealed class TransportBlockPool : MemoryPool<byte>
{
    private const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> _blocks = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        return _blocks.TryDequeue(out Block? block) ? block : new Block(this);
    }

    protected override void Dispose(bool disposing) => _blocks.Clear();

    private sealed class Block(TransportBlockPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public Memory<byte> Memory => _array;

        public void Dispose() => pool._blocks.Enqueue(this);
    }
}
