using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// RFC 6455 §5.3 payload masking (XOR with a 4-byte key, repeating). Called by <see cref="MessageReader"/> on the
/// receive loop for every client payload chunk, and by <see cref="FrameWriter"/> for client frames (tests, load
/// generator). Stateless; owns nothing.
/// </summary>
/// <remarks>
/// Every inbound client byte passes through here, so it XORs 32 or 16 bytes per step when the CPU has the vector
/// unit, then 8 and 4 bytes, and only the last 0–3 bytes one at a time. Because each wide step is a multiple of 4
/// bytes the key phase never changes inside the loop: the key is rotated once, up front, by the offset.
/// </remarks>
public static class Masking
{
    /// <summary>
    /// XORs <paramref name="data"/> in place: <c>data[i] ^= keyBytes[(i + maskOffset) &amp; 3]</c>, where keyBytes are
    /// the 4 mask bytes in wire order and <paramref name="maskKey"/> is their little-endian read. Masking is its own
    /// inverse. <paramref name="maskOffset"/> is how many payload bytes of this frame came before
    /// <paramref name="data"/> (only its low 2 bits matter), so a payload may be unmasked chunk by chunk.
    /// </summary>
    public static void Apply(Span<byte> data, uint maskKey, int maskOffset)
    {
        // Byte j of `key` (little-endian view) is the mask byte for data[j].
        uint key = BitOperations.RotateRight(maskKey, (maskOffset & 3) * 8);
        // Vector and word loads see memory in native order; the key must look the same in memory as the wire bytes.
        uint nativeKey = BitConverter.IsLittleEndian ? key : BinaryPrimitives.ReverseEndianness(key);

        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;

        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<byte>.Count)
        {
            Vector256<byte> wideKey = Vector256.Create(nativeKey).AsByte();
            nuint lastStart = length - (nuint)Vector256<byte>.Count;
            for (; i <= lastStart; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref start, i) ^ wideKey).StoreUnsafe(ref start, i);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - i >= (nuint)Vector128<byte>.Count)
        {
            Vector128<byte> wideKey = Vector128.Create(nativeKey).AsByte();
            nuint lastStart = length - (nuint)Vector128<byte>.Count;
            for (; i <= lastStart; i += (nuint)Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref start, i) ^ wideKey).StoreUnsafe(ref start, i);
            }
        }

        ulong longKey = nativeKey | ((ulong)nativeKey << 32);
        for (; length - i >= sizeof(ulong); i += sizeof(ulong))
        {
            ref byte at = ref Unsafe.Add(ref start, i);
            Unsafe.WriteUnaligned(ref at, Unsafe.ReadUnaligned<ulong>(ref at) ^ longKey);
        }

        if (length - i >= sizeof(uint))
        {
            ref byte at = ref Unsafe.Add(ref start, i);
            Unsafe.WriteUnaligned(ref at, Unsafe.ReadUnaligned<uint>(ref at) ^ nativeKey);
            i += sizeof(uint);
        }

        // i is a multiple of 4 here, so the tail starts at key byte 0.
        for (; i < length; i++)
        {
            Unsafe.Add(ref start, i) ^= (byte)key;
            key >>= 8;
        }
    }
}
