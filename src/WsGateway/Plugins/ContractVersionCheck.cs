namespace WsGateway.Plugins;

/// <summary>
/// The contract's version policy (README.md, "Versions of the contract"): a minor version only adds, so a plugin
/// built against an older or equal minor of the gateway's major runs; one built against a newer minor may call what
/// this gateway lacks, and another major may have changed anything.
/// </summary>
internal static class ContractVersionCheck
{
    /// <returns>Why a plugin built against <paramref name="builtAgainst"/> cannot run on <paramref name="gateway"/>; null when it can.</returns>
    public static string? Refusal(Version builtAgainst, Version gateway)
    {
        if (builtAgainst.Major == gateway.Major && builtAgainst.Minor <= gateway.Minor)
        {
            return null;
        }

        var advice = builtAgainst.Major >= gateway.Major
            ? "update the gateway, or build the plugin against the gateway's version"
            : "rebuild the plugin against the gateway's version";
        return $"it was built against WsGateway.Contracts {Short(builtAgainst)} and this gateway has {Short(gateway)}: {advice}";
    }

    private static string Short(Version version) => $"{version.Major}.{version.Minor}";
}
