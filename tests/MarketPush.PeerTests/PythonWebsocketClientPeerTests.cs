namespace MarketPush.PeerTests;

// Python `websocket-client` (Debian python3-websocket) via peers/websocket_client_peer.py: WebSocketApp.run_forever
// with its own pings every 2 s, so both directions of ping/pong are exercised. It offers no extensions.
public sealed class PythonWebsocketClientPeerTests
{
    [Fact(Timeout = 120_000)]
    public async Task WebsocketClient_RunForeverWithPingInterval_ReceivesEveryMessage_AnswersPings_AndSees1001_WhenServerStops()
    {
        PeerEnvironment.RequireFile(PeerEnvironment.DebianPython, "python3-websocket");
        await using var scenario = await PeerScenario.StartAsync();
        await using var peer = PeerProcess.Start(
            "python websocket-client",
            PeerEnvironment.DebianPython,
            ["-u", PeerEnvironment.PeerScript("websocket_client_peer.py"), scenario.StreamUri.ToString(), "--ping-interval", "2", "--ping-timeout", "1"],
            PeerEnvironment.PythonEnvironment());

        await scenario.RunAsync(peer.Transcript, PeerEnding.ServerShutdown, expectCompression: false,
            () => peer.WaitForExitAsync(PeerScenario.StepTimeout));

        var events = peer.Transcript.Snapshot();
        // The server pings after one heartbeat of silence (the library answers); it must also answer the client's pings.
        PeerAssert.True(events.Any(e => e.Event == "ping"), peer.Transcript, "the server never pinged the idle client");
        PeerAssert.True(events.Any(e => e.Event == "pong"), peer.Transcript, "the server never answered the client's run_forever pings");
    }
}
