namespace WsGateway.Options;

/// <summary>A key the options cannot be bound from.</summary>
/// <param name="Path">The configuration path (<c>Commands:Paths:1</c>); it and everything below it are left out of binding.</param>
/// <param name="Message">What is wrong, starting with the key as the operator writes it (<c>Commands:Paths[1]</c>).</param>
internal sealed record ConfigurationProblem(string Path, string Message);
