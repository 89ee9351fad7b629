using WsGateway.Contracts;

namespace WsGateway.Scripts;

/// <summary>
/// One successfully compiled version of a script: its submission factory, bound once at compile time, and the
/// collectible context that holds its code. Calls go straight to the delegate; nothing is compiled or reflected per call.
/// </summary>
internal sealed class CompiledScript
{
    private readonly Func<object?[], Task<object?>> _factory;

    public CompiledScript(ScriptLoadContext loadContext, Func<object?[], Task<object?>> factory)
    {
        LoadContext = loadContext;
        _factory = factory;
    }

    public ScriptLoadContext LoadContext { get; }

    public async ValueTask ExecuteAsync(ICommandContext context)
    {
        // Roslyn's submission layout: slot 0 holds the globals, the submission stores itself in slot 1.
        // A fresh array per call keeps concurrent calls apart.
        var submission = new object?[] { new ScriptGlobals(context), null };
        var result = await _factory(submission).ConfigureAwait(false);
        switch (result)
        {
            case null:
                return;
            case Task unawaited:
                // A script ending in `Reply("x")` without await: finish it rather than reply with "System.Threading.Tasks.Task".
                await unawaited.ConfigureAwait(false);
                return;
            default:
                await context.ReplyAsync(result.ToString() ?? string.Empty).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// Lets the runtime unload this version once nothing references it; calls in flight finish first,
    /// because the runtime keeps the context alive while its code is on a stack.
    /// </summary>
    public void Unload() => LoadContext.Unload();
}
