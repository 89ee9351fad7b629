using System.Reflection;
using WsGateway.Contracts;

namespace GreeterPlugin;

/// <summary>Answers with a text baked in at build time, so two builds of one source are two versions.</summary>
public sealed class GreetCommand : ICommand
{
    private readonly string _reply = Metadata("GreeterReply");

    public string Name { get; } = Metadata("GreeterCommand");

    public string Description => "Replies with the version it was built as.";

    public ValueTask ExecuteAsync(ICommandContext context) => context.ReplyAsync(_reply);

    private static string Metadata(string key) =>
        typeof(GreetCommand).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == key).Value!;
}
