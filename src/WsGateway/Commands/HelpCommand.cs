using System.Text;
using System.Text.Json;
using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>
/// The built-in <c>help</c>: every command the caller may run, with its description and origin, shadowed and broken
/// ones included. <c>help --json</c> answers the same as one JSON object for programs (the web console uses it).
/// <c>help NAME</c> of a command the caller may not run, or of none, ends with the error a call would get.
/// </summary>
internal static class HelpCommand
{
    public const string Name = "help";
    public const string SourceKey = "builtin:help";

    public static CommandDescriptor Create(CommandRegistry registry) => new(
        Name,
        "Lists the commands; \"help NAME\" describes one, \"help --json\" answers in JSON.",
        CommandOrigin.BuiltIn,
        context => context.ReplyAsync(Render(registry.Current, context.Arguments.Trim(), context.Session.Identity)));

    internal static string Render(CommandTable table, string arguments, CallerIdentity caller)
    {
        if (arguments == "--json")
        {
            return RenderJson(table, caller);
        }

        if (arguments.Length > 0)
        {
            // Asking about a command answers as calling it would: unknown, or refused with what it needs. The list
            // below leaves out what the caller may not run; naming one tells only what a call would tell.
            if (!table.TryGet(arguments, out var active))
            {
                throw new CallErrorException(CallErrors.UnknownCommand, CallRefusals.UnknownCommand(arguments));
            }

            if (!active.Access.Allows(caller))
            {
                throw new CallErrorException(CallErrors.Forbidden, CallRefusals.Forbidden(active, caller));
            }
        }

        var rows = table.All
            .Where(d => d.Access.Allows(caller) && (arguments.Length == 0 || d.Name.Equals(arguments, StringComparison.OrdinalIgnoreCase)))
            .ToList();

        int width = rows.Max(d => d.Name.Length);
        var text = new StringBuilder(arguments.Length == 0 ? "Commands (send \"NAME arguments\"):\n" : "");
        foreach (var descriptor in rows)
        {
            text.Append("  ").Append(descriptor.Name.ToLowerInvariant().PadRight(width)).Append("  ").Append(descriptor.Description)
                .Append("  [").Append(descriptor.Origin).Append(']');
            if (descriptor.Access.ToString() is { Length: > 0 } access)
            {
                text.Append("  (requires ").Append(access).Append(')');
            }

            if (!table.IsActive(descriptor))
            {
                table.TryGet(descriptor.Name, out var winner);
                text.Append("  (shadowed by ").Append(winner.Origin).Append(')');
            }

            if (descriptor.Problem is not null)
            {
                text.Append("  BROKEN: ").Append(descriptor.Problem);
            }

            text.Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string RenderJson(CommandTable table, CallerIdentity caller)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("commands");
            foreach (var descriptor in table.All.Where(d => d.Access.Allows(caller)))
            {
                json.WriteStartObject();
                json.WriteString("name", descriptor.Name.ToLowerInvariant());
                json.WriteString("description", descriptor.Description);
                json.WriteString("origin", descriptor.Origin.ToString());
                json.WriteString("problem", descriptor.Problem);
                json.WriteBoolean("shadowed", !table.IsActive(descriptor));
                json.WriteString("requires", descriptor.Access.ToString() is { Length: > 0 } access ? access : null);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
