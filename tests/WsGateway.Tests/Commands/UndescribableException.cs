namespace WsGateway.Tests.Commands;

/// <summary>
/// An exception a plugin might throw whose message cannot be read: the session's own report of the failure (which
/// quotes the message) then throws outside any command's try.
/// </summary>
internal sealed class UndescribableException : Exception
{
    public override string Message => throw new InvalidOperationException("This exception cannot describe itself.");
}
