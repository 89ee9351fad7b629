namespace WsGateway.Plugins;

/// <summary>A plugin version that cannot serve; the message says why in words an operator can act on.</summary>
internal sealed class PluginLoadException : Exception
{
    public PluginLoadException(string message)
        : base(message)
    {
    }

    public PluginLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
