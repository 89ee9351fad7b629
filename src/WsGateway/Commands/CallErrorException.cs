namespace WsGateway.Commands;

/// <summary>
/// Thrown by a built-in command to end its call with an error of <see cref="Code"/> (one of <see cref="CallErrors"/>)
/// rather than <c>failed</c>; <see cref="Exception.Message"/> is what the caller reads.
/// </summary>
internal sealed class CallErrorException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
