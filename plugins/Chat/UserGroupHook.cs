using WsGateway.Contracts;

namespace Chat;

/// <summary>
/// Puts every authenticated session in the group <c>user:NAME</c> as it opens, so that anything sent to that group
/// (by a command, a script or the publish API) reaches all of one person's tabs and devices, on every gateway.
/// </summary>
public sealed class UserGroupHook : ISessionHook
{
    public async ValueTask OnOpenedAsync(ISessionHookContext context)
    {
        var identity = context.Session.Identity;
        if (!identity.IsAuthenticated)
        {
            return;
        }

        var group = "user:" + identity.Name;
        if (!GroupNames.IsValid(group))
        {
            // Names from an identity provider may hold characters groups do not (e-mail addresses): say so, once per session.
            context.Logger.Information("No user group for {User}: {Group} is not a valid group name", identity.Name, group);
            return;
        }

        await context.JoinGroupAsync(group);
    }
}
