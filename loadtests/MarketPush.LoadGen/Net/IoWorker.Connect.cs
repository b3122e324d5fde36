using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MarketPush.LoadGen.Measure;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.LoadGen.Net;

/// <summary>Connection setup: non-blocking connect, the HTTP upgrade, and the switch to WebSocket frames.</summary>
internal sealed unsafe partial class IoWorker
{
    private const int HandshakeBufferSize = 8 * 1024;

    private void StartConnect(ClientConnection connection, long now)
    {
        int fd = Libc.Socket(Libc.AfInet, Libc.SockStream | Libc.SockNonBlock | Libc.SockCloexec, 0);
        if (fd < 0)
        {
            // EMFILE and friends: count, and try again later rather than spin.
            WorkerStats.Increment(Stats.ConnectErrnos, Marshal.GetLastPInvokeError());
            Stats.ConnectErrors++;
            ScheduleRetry(connection, now, 1_000);
            return;
        }

        // Commands and pongs are small and must not wait for Nagle.
        Libc.SetIntOption(fd, Libc.IpProtoTcp, Libc.TcpNoDelay, 1);
        if (connection.IsSlow)
        {
            // A slow reader also has a small receive window (a phone on a poor link): the backlog then builds up in the
            // server, which is what the slow scenario is there to watch, instead of in megabytes of kernel buffers.
            Libc.SetIntOption(fd, Libc.SolSocket, Libc.SoRcvBuf, 4096);
        }
        connection.Fd = fd;
        connection.Interest = 0;
        connection.ConnectStartedAt = now;
        connection.DeadlineAt = now + (Stopwatch.Frequency * HandshakeTimeoutMs / 1000);
        int result = Libc.ConnectLoopback(fd, _plan.Port);
        int errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        if (result != 0 && errno != Libc.EInProgress)
        {
            WorkerStats.Increment(Stats.ConnectErrnos, errno);
            Stats.ConnectErrors++;
            CloseSocket(connection, abortive: true);
            ScheduleRetry(connection, now, 200);
            return;
        }

        connection.State = ConnectionState.Connecting;
        _inFlight++;
        UpdateInterest(connection);
    }

    private void OnConnectCompleted(ClientConnection connection)
    {
        int error = Libc.GetSocketError(connection.Fd);
        long now = Stopwatch.GetTimestamp();
        if (error != 0)
        {
            WorkerStats.Increment(Stats.ConnectErrnos, error);
            Stats.ConnectErrors++;
            CloseSocket(connection, abortive: true);
            _inFlight--;
            ScheduleRetry(connection, now, 200);
            return;
        }

        byte[] request = _plan.BuildHandshakeRequest(out string expectedAccept);
        connection.ExpectedAccept = expectedAccept;
        connection.HandshakeBuffer = ArrayPool<byte>.Shared.Rent(HandshakeBufferSize);
        connection.HandshakeLength = 0;
        connection.State = ConnectionState.Handshaking;
        UpdateInterest(connection);
        Write(connection, request);
    }

    private void ReadHandshake(ClientConnection connection)
    {
        byte[] buffer = connection.HandshakeBuffer!;
        int received;
        fixed (byte* pointer = buffer)
        {
            received = (int)Libc.Recv(connection.Fd, pointer + connection.HandshakeLength, buffer.Length - connection.HandshakeLength, 0);
        }

        long now = Stopwatch.GetTimestamp();
        if (received <= 0)
        {
            if (received < 0 && Marshal.GetLastPInvokeError() == Libc.EAgain)
            {
                return;
            }

            // The server hung up during the handshake (or refused it by closing).
            FailHandshake(connection, now, status: 0);
            return;
        }

        connection.HandshakeLength += received;
        Stats.WireBytes += received;
        int headLength = HandshakeResponse.FindHeadLength(buffer.AsSpan(0, connection.HandshakeLength));
        if (headLength < 0)
        {
            if (connection.HandshakeLength == buffer.Length)
            {
                FailHandshake(connection, now, status: 0);
            }

            return;
        }

        UpgradeOutcome outcome = HandshakeResponse.Parse(
            buffer.AsSpan(0, headLength), connection.ExpectedAccept!, _plan.OffersDeflate, out int status, out bool deflate);
        if (outcome != UpgradeOutcome.Upgraded)
        {
            if (outcome == UpgradeOutcome.UnsupportedDeflate)
            {
                Stats.FirstError ??= "the server accepted permessage-deflate without server_no_context_takeover; the runner inflates each message on its own";
            }

            FailHandshake(connection, now, outcome == UpgradeOutcome.Refused ? status : 0);
            return;
        }

        if (_plan.OffersDeflate && !deflate)
        {
            Stats.FirstError ??= "the server declined permessage-deflate";
        }

        _inFlight--;
        connection.State = ConnectionState.Open;
        connection.Reader = new MessageReader(s_readerOptions, deflate ? _inflater : null);
        Stats.ConnectionsOpened++;
        Stats.OpenConnections++;
        Stats.HandshakeTime.Record((now - connection.ConnectStartedAt) * 1_000_000 / Stopwatch.Frequency);

        // Frames that came in the same segment as the response head (often the welcome message).
        int extra = connection.HandshakeLength - headLength;
        connection.HandshakeBuffer = null;
        connection.ExpectedAccept = null;
        if (extra > 0)
        {
            ProcessFrames(connection, buffer, headLength, extra, now, RunClockMicros());
        }

        ArrayPool<byte>.Shared.Return(buffer);
    }

    private void FailHandshake(ClientConnection connection, long now, int status)
    {
        Stats.HandshakeFailures++;
        WorkerStats.Increment(Stats.HandshakeStatus, status);
        CloseSocket(connection, abortive: true);
        _inFlight--;
        ScheduleRetry(connection, now, 500);
    }

    private static long RunClockMicros() => Runner.RunClock.UnixMicrosNow();
}
