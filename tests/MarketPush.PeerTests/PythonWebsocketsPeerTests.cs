namespace MarketPush.PeerTests;

// Python `websockets` (Debian python3-websockets, 10.4 on Debian 12: asyncio client) via peers/websockets_peer.py.
public sealed class PythonWebsocketsPeerTests
{
    private static Task RunAsync(string compression, PeerEnding ending)
    {
        PeerEnvironment.RequireFile(PeerEnvironment.DebianPython, "python3-websockets");
        return ScriptPeer.RunAsync(
            $"python websockets (compression={compression})",
            PeerEnvironment.DebianPython,
            ["-u", PeerEnvironment.PeerScript("websockets_peer.py"), "{url}", "--compression", compression],
            ending,
            expectCompression: compression == "deflate",
            PeerEnvironment.PythonEnvironment());
    }

    [Fact(Timeout = 120_000)]
    public Task Websockets_WithDeflate_ReceivesEveryMessageIntact_AndSees1001_WhenServerStops() =>
        RunAsync("deflate", PeerEnding.ServerShutdown);

    [Fact(Timeout = 120_000)]
    public Task Websockets_WithDeflate_SeesCloseEchoed1000_WhenItCloses() =>
        RunAsync("deflate", PeerEnding.ClientClose);

    [Fact(Timeout = 120_000)]
    public Task Websockets_WithoutCompression_ReceivesEveryMessageUncompressed_AndSees1001_WhenServerStops() =>
        RunAsync("none", PeerEnding.ServerShutdown);

    [Fact(Timeout = 120_000)]
    public Task Websockets_WithoutCompression_SeesCloseEchoed1000_WhenItCloses() =>
        RunAsync("none", PeerEnding.ClientClose);
}
