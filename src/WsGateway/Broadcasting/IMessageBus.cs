namespace WsGateway.Broadcasting;

/// <summary>
/// Carries broadcasts to every command session. The local bus delivers in-process; a scale-out bus (Redis) publishes
/// to the other gateways too and delivers what they publish.
/// </summary>
public interface IMessageBus
{
    ValueTask PublishAsync(string text, CancellationToken cancellationToken);

    /// <summary>Registers the local delivery; the bus calls it for every broadcast, local or remote.</summary>
    void Subscribe(Func<string, ValueTask> deliver);
}
