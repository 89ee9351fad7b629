namespace WsGateway.Commands;

/// <summary>Where a command comes from. The order is the precedence when two sources define one name.</summary>
internal enum CommandOriginKind
{
    BuiltIn = 0,
    Script = 1,
    Plugin = 2,
}
