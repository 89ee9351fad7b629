using System.Globalization;
using System.Text;
using System.Text.Json;
using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>
/// The built-in <c>whoami</c>: the caller's identity as the gateway authenticated it (name, method, roles, expiry).
/// <c>whoami --json</c> answers the same as one JSON object.
/// </summary>
internal static class WhoAmICommand
{
    public const string Name = "whoami";

    public static CommandDescriptor Create() => new(
        Name,
        "Shows who you are connected as: name, authentication method, roles and expiry (\"whoami --json\" in JSON).",
        CommandOrigin.BuiltIn,
        context => context.ReplyAsync(Render(context.Session.Identity, context.Arguments.Trim() == "--json")));

    internal static string Render(CallerIdentity identity, bool json)
    {
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("name", identity.Name);
                writer.WriteBoolean("authenticated", identity.IsAuthenticated);
                writer.WriteString("method", identity.AuthenticatedBy);
                writer.WriteStartArray("roles");
                foreach (var role in identity.Roles)
                {
                    writer.WriteStringValue(role);
                }

                writer.WriteEndArray();
                if (identity.ExpiresAt is { } expires)
                {
                    writer.WriteString("expiresAt", expires);
                }
                else
                {
                    writer.WriteNull("expiresAt");
                }

                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        if (!identity.IsAuthenticated)
        {
            return "anonymous (connected without credentials)";
        }

        var text = new StringBuilder(identity.Name).Append(" (authenticated by ").Append(identity.AuthenticatedBy).Append(')');
        text.Append(identity.Roles.Count == 0 ? "; no roles" : "; roles: " + string.Join(", ", identity.Roles));
        if (identity.ExpiresAt is { } at)
        {
            text.Append("; expires ").Append(at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
