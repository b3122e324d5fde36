using System.Runtime.InteropServices;

namespace MarketPush.Protocol.Messages;

/// <summary>
/// One price level: <see cref="Price"/> is scaled by 10^decimals of its instrument, <see cref="Size"/> is a plain
/// count. Size 0 in a book delta means "remove this level" (PROTOCOL.md `book`). 16 bytes, so a 50-level side is
/// one 800-byte array the order book shifts with a single memmove.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct BookLevel(long Price, long Size);
