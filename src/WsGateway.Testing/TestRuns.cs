using WsGateway.Contracts;

namespace WsGateway.Testing;

/// <summary>
/// One-line runs of a command or a session hook against the fakes, e.g.
/// <c>Assert.Equal("forty-two", (await new WordsCommand().RunAsync("42")).Reply);</c>
/// </summary>
public static class TestRuns
{
    /// <summary>Runs <paramref name="command"/> as if its name and <paramref name="arguments"/> had been typed.</summary>
    /// <param name="command">The command under test.</param>
    /// <param name="arguments">The text after the command name.</param>
    /// <param name="session">The caller; keep one to run several commands in one connection. A new one when null.</param>
    /// <returns>The context, with what the command did.</returns>
    public static async Task<FakeCommandContext> RunAsync(this ICommand command, string arguments = "", FakeSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        var context = new FakeCommandContext(command.Name, arguments, session);
        await command.ExecuteAsync(context);
        return context;
    }

    /// <summary>Runs the opening hook of <paramref name="hook"/> for <paramref name="session"/>.</summary>
    /// <returns>The context, with what the hook did.</returns>
    public static async Task<FakeSessionHookContext> RunOpenedAsync(this ISessionHook hook, FakeSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(hook);
        var context = new FakeSessionHookContext(session);
        await hook.OnOpenedAsync(context);
        return context;
    }

    /// <summary>Runs the closing hook of <paramref name="hook"/> for <paramref name="session"/>.</summary>
    /// <returns>The context, with what the hook did.</returns>
    public static async Task<FakeSessionHookContext> RunClosedAsync(this ISessionHook hook, FakeSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(hook);
        var context = new FakeSessionHookContext(session);
        await hook.OnClosedAsync(context);
        return context;
    }
}
