namespace WsGateway.Options;

public sealed class EchoOptions
{
    /// <summary>Paths that echo every text and binary message unchanged.</summary>
    public string[] Paths { get; set; } = ["/echo"];
}
