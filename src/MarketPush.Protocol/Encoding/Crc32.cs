using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MarketPush.Protocol.Encodings;

/// <summary>
/// CRC-32 as in IEEE 802.3 and zlib's crc32() (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF),
/// the book <c>checksum</c> of PROTOCOL.md. System.IO.Hashing is not part of the shared framework, so this is a
/// slicing-by-8 implementation: eight 256-entry tables let the loop fold 8 input bytes per step, about 4× the
/// byte-at-a-time table loop, which matters because ingest checksums every changed depth tier of every book update.
/// Pure and thread-safe.
/// </summary>
public static class Crc32
{
    private const uint ReversedPolynomial = 0xEDB88320u;

    /// <summary>Table k (k = 0..7) at offset k*256: the CRC contribution of a byte followed by k zero bytes.</summary>
    private static readonly uint[] s_table = CreateTable();

    /// <summary>CRC-32 of <paramref name="data"/> (equal to Python's <c>zlib.crc32(data)</c>).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues a finished CRC over more bytes, like zlib's <c>crc32(crc, buf)</c>:
    /// <c>Append(Compute(a), b) == Compute(a + b)</c>, and <c>Append(0, x) == Compute(x)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~Update(~crc, data);

    /// <summary>
    /// The raw register after feeding <paramref name="count"/> zero bytes, without the pre/post inversion. The CRC
    /// register is linear over GF(2), so <c>Update(s, A‖B) = ShiftZeros(Update(s, A), |B|) ^ Update(0, B)</c>: this is
    /// what lets <see cref="BookChecksum.Combine"/> join per-level CRCs without re-reading their text. Eight zero
    /// bytes are one slicing step with no data (4 lookups in tables 7..4), four are a slicing-by-4 step (tables 3..0).
    /// </summary>
    internal static uint ShiftZeros(uint state, int count)
    {
        ref uint table = ref MemoryMarshal.GetArrayDataReference(s_table);
        for (; count >= 8; count -= 8)
        {
            state = Unsafe.Add(ref table, (7 * 256) + (int)(state & 0xFF))
                ^ Unsafe.Add(ref table, (6 * 256) + (int)((state >> 8) & 0xFF))
                ^ Unsafe.Add(ref table, (5 * 256) + (int)((state >> 16) & 0xFF))
                ^ Unsafe.Add(ref table, (4 * 256) + (int)(state >> 24));
        }

        if (count >= 4)
        {
            state = Unsafe.Add(ref table, (3 * 256) + (int)(state & 0xFF))
                ^ Unsafe.Add(ref table, (2 * 256) + (int)((state >> 8) & 0xFF))
                ^ Unsafe.Add(ref table, 256 + (int)((state >> 16) & 0xFF))
                ^ Unsafe.Add(ref table, (int)(state >> 24));
            count -= 4;
        }

        for (; count > 0; count--)
        {
            state = Unsafe.Add(ref table, (int)(state & 0xFF)) ^ (state >> 8);
        }

        return state;
    }

    /// <summary>The raw register update (no inversions): <c>Compute(x) == ~UpdateRaw(~0u, x)</c>.</summary>
    internal static uint UpdateRaw(uint state, ReadOnlySpan<byte> data) => Update(state, data);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        ref uint table = ref MemoryMarshal.GetArrayDataReference(s_table);
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ state;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(4));
            state = Unsafe.Add(ref table, (7 * 256) + (int)(low & 0xFF))
                ^ Unsafe.Add(ref table, (6 * 256) + (int)((low >> 8) & 0xFF))
                ^ Unsafe.Add(ref table, (5 * 256) + (int)((low >> 16) & 0xFF))
                ^ Unsafe.Add(ref table, (4 * 256) + (int)(low >> 24))
                ^ Unsafe.Add(ref table, (3 * 256) + (int)(high & 0xFF))
                ^ Unsafe.Add(ref table, (2 * 256) + (int)((high >> 8) & 0xFF))
                ^ Unsafe.Add(ref table, 256 + (int)((high >> 16) & 0xFF))
                ^ Unsafe.Add(ref table, (int)(high >> 24));
            data = data.Slice(8);
        }

        foreach (byte b in data)
        {
            state = Unsafe.Add(ref table, (int)((state ^ b) & 0xFF)) ^ (state >> 8);
        }

        return state;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReversedPolynomial : crc >> 1;
            }

            table[i] = crc;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = (previous >> 8) ^ table[previous & 0xFF];
            }
        }

        return table;
    }
}
