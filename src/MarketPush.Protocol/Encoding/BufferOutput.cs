using System.Buffers;
using System.Runtime.CompilerServices;

namespace MarketPush.Protocol.Encodings;

/// <summary>
/// A write cursor over an <see cref="IBufferWriter{T}"/> shared by the JSON and MessagePack writers. It asks the
/// writer for one span up front (sized by the caller's estimate of the whole message) and only goes back for more
/// when a token does not fit, so a typical tick is written with one GetSpan and one Advance.
/// Lives on the stack of one encode call; <see cref="Complete"/> must run before the writer is used again.
/// </summary>
internal ref struct BufferOutput
{
    private const int MinimumGrowth = 256;

    private readonly IBufferWriter<byte> _writer;
    private Span<byte> _span;
    private int _position;

    public BufferOutput(IBufferWriter<byte> writer, int sizeHint)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
        _span = writer.GetSpan(sizeHint);
        _position = 0;
    }

    /// <summary>Returns a span of at least <paramref name="size"/> bytes at the cursor; call <see cref="Advance"/> after filling it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int size)
    {
        if (_span.Length - _position < size)
        {
            Grow(size);
        }

        return _span.Slice(_position);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _position += count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteByte(byte value)
    {
        if (_position >= _span.Length)
        {
            Grow(1);
        }

        _span[_position++] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        if (_span.Length - _position < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(_span.Slice(_position));
        _position += bytes.Length;
    }

    /// <summary>Commits everything written to the underlying writer.</summary>
    public void Complete()
    {
        _writer.Advance(_position);
        _position = 0;
        _span = default;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int size)
    {
        _writer.Advance(_position);
        _position = 0;
        _span = _writer.GetSpan(Math.Max(size, MinimumGrowth));
        if (_span.Length < size)
        {
            throw new InvalidOperationException("The buffer writer returned a span smaller than requested.");
        }
    }
}
