using System.Collections.Immutable;

namespace WsGateway.Broadcasting;

/// <summary>Delivers broadcasts to the sessions of this process only.</summary>
public sealed class LocalMessageBus : IMessageBus
{
    private Func<string, ValueTask>[] _subscribers = [];

    public ValueTask PublishAsync(string text, CancellationToken cancellationToken)
    {
        var subscribers = Volatile.Read(ref _subscribers);
        return subscribers.Length == 1 ? subscribers[0](text) : PublishToAllAsync(subscribers, text);
    }

    public void Subscribe(Func<string, ValueTask> deliver) =>
        ImmutableInterlocked.Update(ref _subscribers, static (list, item) => [.. list, item], deliver);

    private static async ValueTask PublishToAllAsync(Func<string, ValueTask>[] subscribers, string text)
    {
        foreach (var deliver in subscribers)
        {
            await deliver(text);
        }
    }
}
