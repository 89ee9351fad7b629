using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace WsGateway.Benchmark;

/// <summary>
/// Linux epoll, level-triggered, for a client that watches a thousand sockets from one thread: one epoll_wait
/// reports many ready sockets, and each costs one recv. The runtime's socket engine would add a thread-pool work item
/// and a continuation per receive, which made the client dearer per delivery than the servers it measured.
/// </summary>
internal sealed class Epoll : IDisposable
{
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const int Eintr = 4;

    // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16); data is its last 8 bytes.
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private readonly int _fd;
    private readonly byte[] _events;
    private readonly byte[] _one;

    public Epoll(int maxEvents)
    {
        _fd = epoll_create1(0);
        if (_fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_create1");
        }

        _events = new byte[maxEvents * EventSize];
        _one = new byte[EventSize];
    }

    /// <summary>Watches <paramref name="fd"/> for input; a ready event carries <paramref name="token"/>.</summary>
    public void Add(nint fd, int token)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_one, EpollIn);
        BinaryPrimitives.WriteInt64LittleEndian(_one.AsSpan(EventSize - 8), token);
        if (epoll_ctl(_fd, EpollCtlAdd, (int)fd, _one) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_ctl");
        }
    }

    /// <summary>Stops watching; a socket that is already closed has left by itself.</summary>
    public void Remove(nint fd) => _ = epoll_ctl(_fd, EpollCtlDel, (int)fd, _one);

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for ready sockets.</summary>
    /// <returns>How many; read their tokens with <see cref="TokenAt"/>.</returns>
    public int Wait(int timeoutMilliseconds)
    {
        int ready = epoll_wait(_fd, _events, _events.Length / EventSize, timeoutMilliseconds);
        if (ready < 0)
        {
            int error = Marshal.GetLastPInvokeError();
            return error == Eintr ? 0 : throw new Win32Exception(error, "epoll_wait");
        }

        return ready;
    }

    public int TokenAt(int index) => (int)BinaryPrimitives.ReadInt64LittleEndian(_events.AsSpan(index * EventSize + EventSize - 8));

    public void Dispose() => _ = close(_fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_ctl(int epfd, int op, int fd, byte[] ev);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_wait(int epfd, byte[] events, int maxevents, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
