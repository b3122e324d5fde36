namespace MarketPush.PeerTests;

// Starts a script peer (python or node) against a running PeerScenario and drives the scenario to its end.
// Called by the test thread; the PeerProcess it starts is disposed (killed if still running) before it returns.
internal static class ScriptPeer
{
    // Returns what the peer reported, for peer-specific checks after the common ones.
    public static async Task<PeerTranscript> RunAsync(
        string peerName,
        string fileName,
        IEnumerable<string> arguments,
        PeerEnding ending,
        bool expectCompression,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var scenario = await PeerScenario.StartAsync();
        var args = new List<string>(arguments);
        for (var i = 0; i < args.Count; i++)
        {
            args[i] = args[i].Replace("{url}", scenario.StreamUri.ToString(), StringComparison.Ordinal);
        }

        if (ending == PeerEnding.ClientClose)
        {
            args.Add("--close-on");
            args.Add(PeerScenario.CloseCommand);
        }

        await using var peer = PeerProcess.Start(peerName, fileName, args, environment);
        await scenario.RunAsync(peer.Transcript, ending, expectCompression, () => peer.WaitForExitAsync(PeerScenario.StepTimeout));
        return peer.Transcript;
    }
}
