namespace MarketPush.PeerTests;

// node `ws` with perMessageDeflate (tests/peers/node, installed by run-all.sh) via peers/ws_peer.js.
public sealed class NodeWsPeerTests
{
    private static async Task RunAsync(PeerEnding ending)
    {
        var transcript = await ScriptPeer.RunAsync(
            "node ws",
            "node",
            [PeerEnvironment.PeerScript("ws_peer.js"), "{url}"],
            ending,
            expectCompression: true,
            new Dictionary<string, string?> { ["NODE_PATH"] = PeerEnvironment.NodeModules });

        PeerAssert.True(transcript.Snapshot().Any(e => e.Event == "ping"), transcript,
            "ws never saw a server ping while idle for 2.5 heartbeat intervals");
    }

    [Fact(Timeout = 120_000)]
    public Task NodeWs_PerMessageDeflate_ReceivesEveryMessageIntact_AndSees1001_WhenServerStops() =>
        RunAsync(PeerEnding.ServerShutdown);

    [Fact(Timeout = 120_000)]
    public Task NodeWs_PerMessageDeflate_SeesCloseEchoed1000_WhenItCloses() =>
        RunAsync(PeerEnding.ClientClose);
}
