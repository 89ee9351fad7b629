namespace WsGateway.Commands;

internal enum CommandOutcome
{
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
}
