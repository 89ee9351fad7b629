namespace WsGateway.Options;

public sealed record PluginOptions
{
    /// <summary>Watched folder with one sub-folder per plugin: <c>&lt;Name&gt;/&lt;Name&gt;.dll</c>.</summary>
    public string Directory { get; set; } = "artifacts/plugins";

    /// <summary>How long the folder must be quiet after a change before the plugin is (re)loaded.</summary>
    public int DebounceMilliseconds { get; set; } = 300;
}
