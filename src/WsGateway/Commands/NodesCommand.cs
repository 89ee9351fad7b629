using System.Text;
using WsGateway.Broadcasting;

namespace WsGateway.Commands;

/// <summary>The built-in <c>nodes</c>: the gateways of the cluster that this node has heard from, with their sessions.</summary>
internal static class NodesCommand
{
    public const string Name = "nodes";

    public static CommandDescriptor Create(IMessageBus bus) => new(
        Name,
        "Lists the gateways of the cluster with their sessions, and whether the cluster bus works.",
        CommandOrigin.BuiltIn,
        context => context.ReplyAsync(Render(bus.Nodes(), bus.Degraded)));

    internal static string Render(IReadOnlyList<ClusterNode> nodes, string? degraded)
    {
        var text = new StringBuilder(degraded is null ? "" : degraded + "\n");
        foreach (var node in nodes)
        {
            text.Append(node.Id).Append(": ").Append(node.Sessions).Append(node.Sessions == 1 ? " session" : " sessions");
            if (node.IsLocal)
            {
                text.Append(" (this node)");
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }
}
