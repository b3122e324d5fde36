namespace MarketPush.PeerTests;

// .NET ClientWebSocket with DangerousDeflateOptions (default offer: context takeover, 15-bit windows), in-process.
public sealed class ClientWebSocketPeerTests
{
    private static async Task RunAsync(PeerEnding ending)
    {
        await using var scenario = await PeerScenario.StartAsync();
        var transcript = new PeerTranscript("ClientWebSocket (DangerousDeflateOptions)");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var closeOn = ending == PeerEnding.ClientClose ? PeerScenario.CloseCommand : null;
        var client = ClientWebSocketPeer.RunAsync(scenario.StreamUri, transcript, closeOn, cts.Token);
        try
        {
            await scenario.RunAsync(transcript, ending, expectCompression: true, async () =>
            {
                await client.WaitAsync(PeerScenario.StepTimeout);
                return 0;
            });
        }
        finally
        {
            await cts.CancelAsync();
            await Task.WhenAny(client, Task.Delay(TimeSpan.FromSeconds(5)));
        }
    }

    [Fact(Timeout = 120_000)]
    public Task ClientWebSocket_DangerousDeflate_ReceivesEveryMessageIntact_AndSees1001_WhenServerStops() =>
        RunAsync(PeerEnding.ServerShutdown);

    [Fact(Timeout = 120_000)]
    public Task ClientWebSocket_DangerousDeflate_SeesCloseEchoed1000_WhenItCloses() =>
        RunAsync(PeerEnding.ClientClose);
}
