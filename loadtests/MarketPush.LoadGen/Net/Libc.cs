using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MarketPush.LoadGen.Net;

/// <summary>
/// The few Linux calls the runner's I/O workers make directly: non-blocking TCP sockets and epoll. Called only by
/// <see cref="IoWorker"/> threads (each fd belongs to one worker). Why not <c>System.Net.Sockets</c>: its async engine
/// costs a thread-pool hop and a few microseconds per receive, which at millions of messages per second would make the
/// runner, not the server, the bottleneck; one epoll loop per worker with a shared 64 KiB buffer reads hundreds of
/// messages per syscall and keeps nothing per connection but a 14-byte header carry.
/// </summary>
internal static unsafe partial class Libc
{
    public const int AfInet = 2;
    public const int SockStream = 1;
    public const int SockNonBlock = 0x800;
    public const int SockCloexec = 0x80000;
    public const int SolSocket = 1;
    public const int SoError = 4;
    public const int SoLinger = 13;
    public const int SoRcvBuf = 8;
    public const int IpProtoTcp = 6;
    public const int TcpNoDelay = 1;
    public const int MsgNoSignal = 0x4000;
    public const int ShutWrite = 1;

    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const int EpollCtlMod = 3;
    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;

    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int EInProgress = 115;

    private const string LibraryName = "libc";

    /// <summary>
    /// struct epoll_event is packed on x86-64 (12 bytes: events, then the 64-bit data at offset 4) and naturally
    /// aligned elsewhere (16 bytes, data at 8); the workers read the raw array with these two numbers.
    /// </summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    public static readonly int EpollEventDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport(LibraryName, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(LibraryName, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* address, int addressLength);

    [LibraryImport(LibraryName, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport(LibraryName, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport(LibraryName, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(LibraryName, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport(LibraryName, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int option, void* value, int valueLength);

    [LibraryImport(LibraryName, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int option, void* value, int* valueLength);

    public const int ScClkTck = 2;

    [LibraryImport(LibraryName, EntryPoint = "sysconf", SetLastError = true)]
    public static partial long SysConf(int name);

    [LibraryImport(LibraryName, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(LibraryName, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, byte* eventStruct);

    [LibraryImport(LibraryName, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeoutMs);

    /// <summary>epoll_ctl with one event struct built on the stack.</summary>
    [SkipLocalsInit]
    public static int EpollControl(int epfd, int op, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        Unsafe.WriteUnaligned(ev, events);
        Unsafe.WriteUnaligned(ev + EpollEventDataOffset, data);
        return EpollCtl(epfd, op, fd, ev);
    }

    /// <summary>Connects a non-blocking socket to 127.0.0.1:<paramref name="port"/>; 0 or EINPROGRESS is success.</summary>
    public static int ConnectLoopback(int fd, int port)
    {
        // struct sockaddr_in: family (host order), port (network order), address (network order), 8 bytes of zero.
        byte* address = stackalloc byte[16];
        new Span<byte>(address, 16).Clear();
        address[0] = AfInet & 0xFF;
        address[1] = 0;
        address[2] = (byte)(port >> 8);
        address[3] = (byte)port;
        address[4] = 127;
        address[7] = 1;
        return Connect(fd, address, 16);
    }

    public static int SetIntOption(int fd, int level, int option, int value) => SetSockOpt(fd, level, option, &value, sizeof(int));

    /// <summary>SO_LINGER {on, 0}: close() sends RST and leaves no TIME_WAIT (used only when a peer will not close first).</summary>
    public static int SetAbortiveClose(int fd)
    {
        int* linger = stackalloc int[2];
        linger[0] = 1;
        linger[1] = 0;
        return SetSockOpt(fd, SolSocket, SoLinger, linger, 2 * sizeof(int));
    }

    /// <summary>The pending error of a socket (completion status of a non-blocking connect).</summary>
    public static int GetSocketError(int fd)
    {
        int value = 0;
        int length = sizeof(int);
        return GetSockOpt(fd, SolSocket, SoError, &value, &length) == 0 ? value : Marshal.GetLastPInvokeError();
    }
}
