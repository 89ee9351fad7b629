using WsGateway.Commands;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary><c>say TEXT</c> answers TEXT: every reply tells which request it belongs to.</summary>
internal static class SayCommand
{
    public static void AddTo(TestGateway gateway) => gateway.Gateway.Registry.SetSource("test:say", [
        new CommandDescriptor("say", "answers with its arguments", new CommandOrigin(CommandOriginKind.Plugin, "HostileTests"),
            context => context.ReplyAsync(context.Arguments)),
    ]);
}
