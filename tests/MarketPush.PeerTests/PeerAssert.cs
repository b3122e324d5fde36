using Xunit.Sdk;

namespace MarketPush.PeerTests;

// Assertions whose failure message carries everything the peer reported and its stderr, built only on failure.
internal static class PeerAssert
{
    public static void True(bool condition, PeerTranscript transcript, string message)
    {
        if (!condition)
        {
            throw new XunitException($"{transcript.PeerName}: {message}\n{transcript.Describe()}");
        }
    }
}
