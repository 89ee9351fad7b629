using System.Net;
using System.Net.Sockets;
using System.Text;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.Http;
using WsGateway.Transport;

namespace WsGateway.IntegrationTests.Connections;

/// <summary>
/// With inline completions (the default, and how these tests run: see inline-completions.runsettings) a socket
/// completion runs on the runtime's socket engine thread, which serves every socket of its share. Nothing that can take
/// time or run plugin code may run there: the handshake, authentication, HTTP routes and commands run on the thread
/// pool. The engine's threads are not thread-pool threads, so code that records
/// <see cref="Thread.IsThreadPoolThread"/> tells where it ran.
/// </summary>
public sealed class SocketEngineThreadTests
{
    private static readonly CommandOrigin TestOrigin = new(CommandOriginKind.Plugin, "TestCommands", "1.0.0");

    [Fact]
    public async Task These_tests_run_with_inline_completions_as_the_gateway_does_by_default()
    {
        Assert.True(new WsGateway.Options.ListenOptions().InlineCompletions);
        // Otherwise every test below would pass without proving anything.
        Assert.True(await InlineCompletions.ProbeAsync(CancellationToken.None), "socket completions go through the thread pool in this test process");
    }

    [Fact]
    public async Task A_plugin_authenticator_runs_on_the_thread_pool_and_resumes_there_after_its_own_socket_io()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Authentication.Methods = ["plugin:where"]);
        var authenticator = new RecordingAuthenticator();
        gateway.Gateway.Authenticators.SetSource("plugin:test", [authenticator]);

        using var client = await gateway.ConnectAsync("/echo");
        Assert.Equal("hi", await client.AskAsync("hi"));

        Assert.Equal((true, true), (authenticator.CalledOnThreadPool, authenticator.ResumedOnThreadPool));
    }

    [Fact]
    public async Task Http_routes_run_on_the_thread_pool()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Gateway.Http.Map("/where", _ => HttpResponse.Text(200, Thread.CurrentThread.IsThreadPoolThread ? "thread pool" : "elsewhere"));

        using var http = new HttpClient { Timeout = Eventually.Patience };
        Assert.Equal("thread pool\n", await http.GetStringAsync(gateway.HttpUri("/where")));
    }

    [Fact]
    public async Task A_command_runs_on_the_thread_pool_and_resumes_there_after_its_own_socket_io()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Gateway.Registry.SetSource("test", [Command("where", async ctx =>
        {
            bool called = Thread.CurrentThread.IsThreadPoolThread;
            using var pair = new LoopbackPair();
            await pair.ReceiveAfterPeerSendsAsync();
            await ctx.ReplyAsync($"{called} {Thread.CurrentThread.IsThreadPoolThread}");
        })]);

        using var client = await gateway.ConnectAsync();
        Assert.Equal("True True", await client.AskAsync("where"));
    }

    [Fact]
    public async Task A_command_whose_reply_waits_for_a_slow_reader_goes_on_on_the_thread_pool()
    {
        const int ReplyBytes = 16 * 1024 * 1024;
        var awaitingReply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.SendBufferBytes = 4L * ReplyBytes;
            o.Commands.TimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        gateway.Gateway.Registry.SetSource("test", [Command("big", async ctx =>
        {
            // Off the worker's first run, so the reply is sent at once rather than corked.
            await Task.Yield();
            var reply = ctx.ReplyAsync(new string('x', ReplyBytes));
            awaitingReply.TrySetResult();
            // ConfigureAwait(false) opts out of the commands' synchronization context: only the gateway's send can move it.
            await reply.ConfigureAwait(false);
            await ctx.ReplyAsync(Thread.CurrentThread.IsThreadPoolThread ? "thread pool" : "elsewhere");
        })]);

        // A small receive buffer, and nothing read until the command waits: the reply cannot fit in the socket buffers.
        await using var client = await RawWebSocketClient.ConnectRawAsync(gateway.Port, receiveBufferBytes: 4096);
        Assert.StartsWith("HTTP/1.1 101", await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, "/")));
        await client.SendTextAsync("big");
        await awaitingReply.Task.WaitAsync(Eventually.Patience);

        Assert.Equal(ReplyBytes, (await client.ReadFrameAsync())!.Payload.Length);
        Assert.Equal("thread pool", (await client.ReadFrameAsync())!.Text);
    }

    [Fact]
    public async Task Authenticators_that_block_their_threads_hold_up_no_other_connection()
    {
        // More blocked handshakes than the runtime has socket engine threads (one per core with inline completions):
        // had any of them run on an engine thread, the sockets that engine serves would wait with it; had one run on
        // the accept loop (a request already there when its socket is accepted), no socket would be accepted.
        int blocked = 2 * Environment.ProcessorCount;
        using var release = new ManualResetEventSlim();
        var authenticator = new BlockingAuthenticator(release);
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Authentication.Methods = ["plugin:block"];
            o.Limits.HandshakeTimeoutSeconds = 2 * Eventually.Patience.TotalSeconds;
        });
        gateway.Gateway.Authenticators.SetSource("plugin:test", [authenticator]);
        var waiting = new List<Socket>();
        try
        {
            for (int i = 0; i < blocked; i++)
            {
                // Blocking calls: a socket that only ever makes them takes no share of an engine in this process.
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                waiting.Add(socket);
                socket.Connect(IPAddress.Loopback, gateway.Port);
                socket.Send(Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(gateway.Port, "/echo", "X-Block: yes\r\n")));
            }

            Assert.True(await Eventually.TrueAsync(() => authenticator.Blocked == blocked, Eventually.Patience), $"{authenticator.Blocked} of {blocked} blocked");

            using var client = await gateway.ConnectAsync("/echo");
            Assert.Equal("still served", await client.AskAsync("still served"));
            using var http = new HttpClient { Timeout = Eventually.Patience };
            Assert.Equal("ok\n", await http.GetStringAsync(gateway.HttpUri("/healthz")));
        }
        finally
        {
            release.Set();
            waiting.ForEach(s => s.Dispose());
        }
    }

    private static CommandDescriptor Command(string name, Func<ICommandContext, ValueTask> run) =>
        new(name, $"test command {name}", TestOrigin, run);

    /// <summary>Accepts everyone; records where it was called and where its own socket read resumed it.</summary>
    private sealed class RecordingAuthenticator : IAuthenticator
    {
        public string Name => "where";

        public bool? CalledOnThreadPool { get; private set; }

        public bool? ResumedOnThreadPool { get; private set; }

        public async ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken)
        {
            CalledOnThreadPool = Thread.CurrentThread.IsThreadPoolThread;
            using var pair = new LoopbackPair();
            await pair.ReceiveAfterPeerSendsAsync();
            ResumedOnThreadPool = Thread.CurrentThread.IsThreadPoolThread;
            return AuthenticationResult.Accept(new CallerIdentity("someone", Name, []));
        }
    }

    /// <summary>Blocks the thread it is called on while a request says <c>X-Block</c>, as a plugin doing synchronous I/O would.</summary>
    private sealed class BlockingAuthenticator(ManualResetEventSlim release) : IAuthenticator
    {
        private int _blocked;

        public string Name => "block";

        public int Blocked => Volatile.Read(ref _blocked);

        public ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken)
        {
            if (request.GetHeader("X-Block") is not null)
            {
                Interlocked.Increment(ref _blocked);
                release.Wait(TimeSpan.FromMinutes(2));
            }

            return ValueTask.FromResult(AuthenticationResult.Accept(new CallerIdentity("someone", Name, [])));
        }
    }

    /// <summary>Two connected loopback sockets, for code that awaits a socket read of its own (an HTTP call, a database).</summary>
    private sealed class LoopbackPair : IDisposable
    {
        private readonly Socket _sender;
        private readonly Socket _receiver;

        public LoopbackPair()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            _sender = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _sender.Connect(listener.LocalEndPoint!);
            _receiver = listener.Accept();
        }

        /// <summary>
        /// A receive that is pending when awaited: the peer sends from another thread once the receive has started, so
        /// under inline completions it completes on the socket engine's thread (the awaiter is nearly always
        /// registered by then; when it is not, the await completes at once and the test proves nothing, never fails).
        /// </summary>
        public ValueTask<int> ReceiveAfterPeerSendsAsync()
        {
            var receive = _receiver.ReceiveAsync(new byte[1].AsMemory(), SocketFlags.None);
            ThreadPool.UnsafeQueueUserWorkItem(static sender => sender.Send([1]), _sender, preferLocal: false);
            return receive;
        }

        public void Dispose()
        {
            _sender.Dispose();
            _receiver.Dispose();
        }
    }
}
