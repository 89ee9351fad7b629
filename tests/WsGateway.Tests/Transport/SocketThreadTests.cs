using WsGateway.Transport;

namespace WsGateway.Tests.Transport;

/// <summary>
/// Leaving the socket engine's thread. The engine's threads are dedicated threads, not the thread pool's, so a
/// dedicated thread stands in for one here: continuations that would run on it must run on the thread pool instead.
/// </summary>
public sealed class SocketThreadTests
{
    /// <summary>Completes <paramref name="complete"/> on a thread of its own, as the socket engine completes a read.</summary>
    internal static void OnDedicatedThread(Action complete) => new Thread(() => complete()) { IsBackground = true }.Start();

    [Fact]
    public async Task Leave_continues_on_the_thread_pool_from_another_thread()
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        OnDedicatedThread(() => _ = LeaveAndRecordAsync(done));

        Assert.True(await done.Task.WaitAsync(Eventually.Patience));

        static async Task LeaveAndRecordAsync(TaskCompletionSource<bool> done)
        {
            Assert.False(Thread.CurrentThread.IsThreadPoolThread);
            await SocketThread.Leave();
            done.SetResult(Thread.CurrentThread.IsThreadPoolThread);
        }
    }

    [Fact]
    public async Task Leave_on_the_thread_pool_costs_nothing()
    {
        await Task.Run(() => Assert.True(SocketThread.Leave().GetAwaiter().IsCompleted));
    }

    [Fact]
    public async Task A_send_that_had_to_wait_resumes_its_awaiter_on_the_thread_pool()
    {
        var send = new TaskCompletionSource();
        var awaiting = AwaitAsync(SocketThread.LeaveAfter(new ValueTask(send.Task)));
        OnDedicatedThread(send.SetResult);

        Assert.True(await awaiting.WaitAsync(Eventually.Patience));

        static async Task<bool> AwaitAsync(ValueTask send)
        {
            await send.ConfigureAwait(false);
            return Thread.CurrentThread.IsThreadPoolThread;
        }
    }

    [Fact]
    public async Task A_send_that_failed_after_waiting_throws_on_the_thread_pool()
    {
        var send = new TaskCompletionSource();
        var awaiting = AwaitAsync(SocketThread.LeaveAfter(new ValueTask(send.Task)));
        OnDedicatedThread(() => send.SetException(new IOException("reset")));

        Assert.True(await awaiting.WaitAsync(Eventually.Patience));

        static async Task<bool> AwaitAsync(ValueTask send)
        {
            try
            {
                await send.ConfigureAwait(false);
                return false;
            }
            catch (IOException)
            {
                return Thread.CurrentThread.IsThreadPoolThread;
            }
        }
    }

    [Fact]
    public void A_send_done_at_once_is_returned_as_it_is()
    {
        Assert.True(SocketThread.LeaveAfter(ValueTask.CompletedTask).IsCompletedSuccessfully);
    }
}
