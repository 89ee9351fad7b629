using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>
/// What a call is told when its command is unknown or refused to the caller. <c>help NAME</c> answers with the same
/// words and codes, so that asking about a command never tells more or less than calling it.
/// </summary>
internal static class CallRefusals
{
    public static string UnknownCommand(string name) =>
        $"unknown command \"{SentText.Excerpt(name)}\"; send \"help\" to list commands";

    /// <summary><c>command "secret" requires the role admin (you are dave)</c>.</summary>
    public static string Forbidden(CommandDescriptor descriptor, CallerIdentity caller) =>
        $"command \"{descriptor.Name}\" {descriptor.Access.Describe()} ({(caller.IsAuthenticated ? "you are " + caller.Name : "you are not authenticated")})";
}
