namespace WsGateway.Options;

public sealed class CommandOptions
{
    /// <summary>Paths of the command route. The second one is the path the old tutorial's page connects to.</summary>
    public string[] Paths { get; set; } = ["/", "/websocket/server.php"];

    /// <summary>A command still running after this long is cancelled and answered with an error.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>When false, a binary message on the command route closes the connection with 1003.</summary>
    public bool AllowBinary { get; set; }
}
