namespace WsGateway.Tests.Authentication;

/// <summary>A fresh folder under the temporary directory (for key files), deleted with its contents.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("wsgateway-auth-").FullName;

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the folder and returns the name.</summary>
    public string Write(string name, string text)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, name), text);
        return name;
    }

    /// <summary>Resolves paths against this folder, as <c>GatewayOptions.ResolvePath</c> does against the configuration's folder.</summary>
    public string Resolve(string path) => System.IO.Path.GetFullPath(path, Path);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
