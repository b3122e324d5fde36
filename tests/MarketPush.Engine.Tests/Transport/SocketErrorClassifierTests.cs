using System.Net.Sockets;
using MarketPush.Engine.Transport;
using Microsoft.AspNetCore.Connections;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>
/// How a failed socket operation is read: by its SocketError code (Kestrel's socket transport's reset and abort
/// sets), on Windows and elsewhere, and through the exception shapes the receive and send loops see.
/// </summary>
public sealed class SocketErrorClassifierTests
{
    [Theory]
    [InlineData(SocketError.ConnectionReset, false, "Reset")]
    [InlineData(SocketError.ConnectionReset, true, "Reset")]
    [InlineData(SocketError.Shutdown, false, "Reset")]
    [InlineData(SocketError.Shutdown, true, "Reset")]
    [InlineData(SocketError.ConnectionAborted, true, "Reset")]
    [InlineData(SocketError.ConnectionAborted, false, "Unexpected")]
    [InlineData(SocketError.OperationAborted, false, "Abort")]
    [InlineData(SocketError.OperationAborted, true, "Abort")]
    [InlineData(SocketError.Interrupted, false, "Abort")]
    [InlineData(SocketError.Interrupted, true, "Abort")]
    [InlineData(SocketError.InvalidArgument, false, "Abort")]
    [InlineData(SocketError.InvalidArgument, true, "Unexpected")]
    [InlineData(SocketError.TimedOut, false, "Unexpected")]
    [InlineData(SocketError.HostUnreachable, false, "Unexpected")]
    [InlineData(SocketError.NetworkDown, true, "Unexpected")]
    [InlineData(SocketError.NoBufferSpaceAvailable, false, "Unexpected")]
    [InlineData(SocketError.SocketError, false, "Unexpected")]
    public void Classify_ReadsTheErrorCode(SocketError error, bool windows, string expected)
    {
        // The kind by name: the enum is internal to the engine, theory parameters are public.
        Assert.Equal(Enum.Parse<SocketErrorKind>(expected), SocketErrorClassifier.Classify(error, windows));
    }

    [Fact]
    public void Classify_OnThisHost_UsesThisHostsRules()
    {
        // InvalidArgument is the one code every host answers differently from the other kind of host.
        SocketErrorKind expected = OperatingSystem.IsWindows() ? SocketErrorKind.Unexpected : SocketErrorKind.Abort;
        Assert.Equal(expected, SocketErrorClassifier.Classify(SocketError.InvalidArgument));
    }

    public static TheoryData<string, Exception, string> NetworkEndings()
    {
        string invalidArgument = OperatingSystem.IsWindows() ? "Unexpected" : "Abort";
        return new TheoryData<string, Exception, string>
        {
            { "send reset", new SocketException((int)SocketError.ConnectionReset), "Reset" },
            { "send after peer closed", new SocketException((int)SocketError.Shutdown), "Reset" },
            { "send timed out", new SocketException((int)SocketError.TimedOut), "Unexpected" },
            { "receive on disposed socket", new SocketException((int)SocketError.InvalidArgument), invalidArgument },
            { "Kestrel reset with its cause", new ConnectionResetException("reset", new SocketException((int)SocketError.ConnectionReset)), "Reset" },
            // The code inside wins over the wrapper's type: an IOException around a timeout is not a reset.
            { "stream around a timeout", new IOException("io", new SocketException((int)SocketError.TimedOut)), "Unexpected" },
            { "stream around an abort", new IOException("io", new SocketException((int)SocketError.OperationAborted)), "Abort" },
            { "Kestrel reset without a cause", new ConnectionResetException("reset"), "Reset" },
            { "upgraded stream ended", new IOException("The client disconnected."), "Reset" },
            { "Kestrel abort", new ConnectionAbortedException("aborted"), "Abort" },
            { "cancelled read", new OperationCanceledException(), "Abort" },
            { "disposed transport", new ObjectDisposedException("socket"), "Abort" },
        };
    }

    [Theory]
    [MemberData(nameof(NetworkEndings))]
    public void TryClassify_NetworkEndings_ByTheirCode(string name, Exception exception, string expected)
    {
        Assert.True(SocketErrorClassifier.TryClassify(exception, out SocketErrorKind kind), name);
        Assert.Equal(Enum.Parse<SocketErrorKind>(expected), kind);
    }

    [Fact]
    public void TryClassify_ABugInOurCode_IsNotANetworkEnding()
    {
        Assert.False(SocketErrorClassifier.TryClassify(new InvalidOperationException("bug"), out _));
        Assert.False(SocketErrorClassifier.TryClassify(new NullReferenceException(), out _));
        Assert.False(SocketErrorClassifier.TryClassify(new ArgumentOutOfRangeException("x"), out _));
    }
}
