namespace WsGateway.Commands;

/// <param name="Kind">Built-in, script or plugin.</param>
/// <param name="Name">Plugin name, or the script's path relative to the scripts directory.</param>
/// <param name="Version">Plugin assembly version; null for scripts and built-ins.</param>
internal sealed record CommandOrigin(CommandOriginKind Kind, string Name, string? Version = null)
{
    public static readonly CommandOrigin BuiltIn = new(CommandOriginKind.BuiltIn, "gateway");

    public override string ToString() => Kind switch
    {
        CommandOriginKind.BuiltIn => "built-in",
        CommandOriginKind.Script => $"script {Name}",
        _ => Version is null ? $"plugin {Name}" : $"plugin {Name} {Version}",
    };
}
