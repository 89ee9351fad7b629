using System.Reflection;
using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>
/// Who may run a command: anyone, authenticated callers, or callers holding roles. Each entry of
/// <see cref="RoleSets"/> is satisfied by any one of its roles; every entry must be satisfied.
/// </summary>
internal sealed record CommandAccess(bool RequiresAuthentication, IReadOnlyList<IReadOnlyList<string>> RoleSets)
{
    public static CommandAccess Anyone { get; } = new(false, []);

    /// <summary>What a plugin command's class asks for with <see cref="RequiresAuthenticationAttribute"/> and <see cref="RequiresRoleAttribute"/>.</summary>
    internal static CommandAccess Of(Type commandType)
    {
        var roleSets = commandType.GetCustomAttributes<RequiresRoleAttribute>(inherit: true)
            .Select(a => (IReadOnlyList<string>)[.. a.Roles])
            .ToArray();
        bool authenticated = commandType.IsDefined(typeof(RequiresAuthenticationAttribute), inherit: true);
        return !authenticated && roleSets.Length == 0 ? Anyone : new CommandAccess(authenticated || roleSets.Length > 0, roleSets);
    }

    public bool Allows(CallerIdentity caller)
    {
        if (RequiresAuthentication && !caller.IsAuthenticated)
        {
            return false;
        }

        foreach (var roles in RoleSets)
        {
            if (!roles.Any(caller.IsInRole))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What the caller lacks, for the error reply: <c>requires the role admin</c>.</summary>
    public string Describe() => RoleSets.Count == 0
        ? "requires an authenticated caller"
        : "requires the role " + string.Join(" and the role ", RoleSets.Select(set => string.Join(" or ", set)));

    /// <summary>For <c>help</c>: empty for anyone, otherwise <c>authenticated</c> or the roles.</summary>
    public override string ToString() => RoleSets.Count == 0
        ? (RequiresAuthentication ? "authenticated" : "")
        : string.Join(", ", RoleSets.Select(set => string.Join(" or ", set)));
}
