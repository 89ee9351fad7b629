using WsGateway.Transport;
using static WsGateway.Tests.Transport.SocketThreadTests;

namespace WsGateway.Tests.Transport;

/// <summary>Plugin code runs under it: its awaits resume on the thread pool whoever completes what they await.</summary>
public sealed class ThreadPoolSynchronizationContextTests
{
    [Fact]
    public async Task Awaits_of_code_started_in_the_scope_resume_on_the_thread_pool_one_after_the_other()
    {
        var first = new TaskCompletionSource();
        var passedFirst = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource();
        Task<bool> plugin;
        var before = SynchronizationContext.Current;
        using (ThreadPoolSynchronizationContext.Enter())
        {
            plugin = PluginAsync();
        }

        Assert.Same(before, SynchronizationContext.Current);
        // Without the context each continuation would run synchronously on the completing (dedicated) thread.
        OnDedicatedThread(first.SetResult);
        Assert.True(await passedFirst.Task.WaitAsync(Eventually.Patience));
        OnDedicatedThread(second.SetResult);
        Assert.True(await plugin.WaitAsync(Eventually.Patience));

        async Task<bool> PluginAsync()
        {
            await first.Task;
            passedFirst.SetResult(Thread.CurrentThread.IsThreadPoolThread);
            await second.Task;
            return Thread.CurrentThread.IsThreadPoolThread;
        }
    }
}
