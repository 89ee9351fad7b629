namespace WsGateway.Contracts;

/// <summary>
/// Only callers holding one of <see cref="Roles"/> may run this command (and see it in <c>help</c>); others get an
/// error reply. Repeat the attribute to require several roles at once.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = true)]
public sealed class RequiresRoleAttribute : Attribute
{
    /// <param name="roles">Any one of these roles is enough (case-sensitive).</param>
    public RequiresRoleAttribute(params string[] roles) => Roles = roles;

    /// <summary>The roles, any one of which is enough.</summary>
    public IReadOnlyList<string> Roles { get; }
}

/// <summary>Only authenticated callers may run this command (and see it in <c>help</c>); anonymous ones get an error reply.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresAuthenticationAttribute : Attribute
{
}
