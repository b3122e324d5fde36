namespace MarketPush.PeerTests;

// Debian's headless chromium (/usr/bin/chromium, never a downloaded browser) running peers/browser_peer.html, which
// opens a native `new WebSocket(url)`; the browser offers permessage-deflate by itself (client_max_window_bits).
// Each test gets a fresh profile directory, deleted afterwards, and chromium is killed in a finally.
public sealed class ChromiumPeerTests
{
    private static readonly string[] s_chromiumFlags =
    [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-sync",
        "--disable-quic",
        "--disable-extensions",
        "--disable-dev-shm-usage",
    ];

    private static async Task RunAsync(PeerEnding ending)
    {
        PeerEnvironment.RequireFile(PeerEnvironment.Chromium, "chromium");
        var profile = Directory.CreateTempSubdirectory("marketpush-chromium-");
        try
        {
            await using var scenario = await PeerScenario.StartAsync();
            var transcript = new PeerTranscript("chromium");
            using var cts = new CancellationTokenSource(PeerScenario.StepTimeout);
            await using var page = await BrowserPeerPage.StartAsync(transcript, cts.Token);
            var query = "?ws=" + Uri.EscapeDataString(scenario.StreamUri.ToString());
            if (ending == PeerEnding.ClientClose)
            {
                query += "&closeOn=" + Uri.EscapeDataString(PeerScenario.CloseCommand);
            }

            var args = new List<string>(s_chromiumFlags) { "--user-data-dir=" + profile.FullName, new Uri(page.BaseUri, "/" + query).ToString() };
            await using (var browser = PeerProcess.Start("chromium", PeerEnvironment.Chromium, args, reportsElsewhere: transcript, keepStderrLine: IsUsefulStderr))
            {
                await transcript.WaitForAsync(e => e.Event is "loaded" or "error", "the page to load in chromium", PeerScenario.StepTimeout);
                await scenario.RunAsync(transcript, ending, expectCompression: true);
            }
        }
        finally
        {
            DeleteProfile(profile);
        }
    }

    // A container has no D-Bus; chromium complains about it on every start, which would bury the lines that matter.
    private static bool IsUsefulStderr(string line) => !line.Contains(":ERROR:dbus/", StringComparison.Ordinal);

    private static void DeleteProfile(DirectoryInfo profile)
    {
        // Chromium's helper processes may still be releasing files for a moment after the kill.
        for (var attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                profile.Refresh();
                if (profile.Exists)
                {
                    profile.Delete(recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public Task Chromium_NativeWebSocket_ReceivesEveryMessageIntact_AndSees1001_WhenServerStops() =>
        RunAsync(PeerEnding.ServerShutdown);

    [Fact(Timeout = 120_000)]
    public Task Chromium_NativeWebSocket_SeesCloseEchoed1000_WhenItCloses() =>
        RunAsync(PeerEnding.ClientClose);
}
