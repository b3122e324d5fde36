using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

/// <summary>Frame builders for reader tests: client frames are masked (what a server reader expects), server frames are not.</summary>
internal static class Frames
{
    public const uint ClientKey = 0x3D21FA37; // the RFC 6455 §5.7 key 37 fa 21 3d, read little-endian

    public static byte[] Client(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true, bool compressed = false, uint key = ClientKey) =>
        Build(opcode, payload, fin, compressed, key);

    public static byte[] Client(WebSocketOpcode opcode, string text, bool fin = true) =>
        Client(opcode, System.Text.Encoding.UTF8.GetBytes(text), fin);

    public static byte[] Server(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin = true, bool compressed = false) =>
        Build(opcode, payload, fin, compressed, null);

    public static byte[] Build(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool fin, bool compressed, uint? key)
    {
        var frame = new byte[FrameWriter.GetHeaderLength(payload.Length, key.HasValue) + payload.Length];
        int written = FrameWriter.WriteFrame(frame, opcode, fin, compressed, payload, key);
        Assert.Equal(frame.Length, written);
        return frame;
    }

    /// <summary>A masked frame with an arbitrary first byte (FIN/RSV/opcode), for headers the writer refuses to produce.</summary>
    public static byte[] ClientRaw(byte firstByte, ReadOnlySpan<byte> payload)
    {
        byte[] frame = Client(WebSocketOpcode.Binary, payload);
        frame[0] = firstByte;
        return frame;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
