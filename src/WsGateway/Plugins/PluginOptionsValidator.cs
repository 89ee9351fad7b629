using WsGateway.Options;

namespace WsGateway.Plugins;

/// <summary>Checks <c>Plugins</c>.</summary>
internal static class PluginOptionsValidator
{
    public static void Validate(PluginOptions plugins, OptionProblems problems)
    {
        problems.DirectoryPath("Plugins:Directory", plugins.Directory);
        problems.Range("Plugins:DebounceMilliseconds", plugins.DebounceMilliseconds, 0, int.MaxValue);
    }
}
