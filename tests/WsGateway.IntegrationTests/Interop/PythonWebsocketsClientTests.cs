namespace WsGateway.IntegrationTests.Interop;

/// <summary>Python's <c>websockets</c> (Debian's python3-websockets) against the echo and command routes.</summary>
public sealed class PythonWebsocketsClientTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Text_binary_fragments_and_ping_are_echoed()
    {
        var result = await PythonWebsocketsClient.RunAsync(_gateway.WebSocketUri("/echo"), "echo");
        // websockets offers permessage-deflate by default, and the gateway accepts it by default.
        Assert.Equal(1, result.GetProperty("extensions").GetArrayLength());

        var text = result.GetProperty("text");
        Assert.Equal(text.GetProperty("sent").GetString(), text.GetProperty("received").GetString());
        var binary = result.GetProperty("binary");
        Assert.True(binary.GetProperty("isBinary").GetBoolean());
        Assert.Equal(binary.GetProperty("sentSha256").GetString(), binary.GetProperty("receivedSha256").GetString());
        Assert.Equal("fragmented ✓", result.GetProperty("fragmented").GetProperty("received").GetString());
        Assert.True(result.GetProperty("pongReceived").GetBoolean());
        Assert.Equal(1000, result.GetProperty("finalCloseCode").GetInt32());
    }

    [Fact]
    public async Task Commands_help_unknown_and_an_envelope_work_on_the_command_route()
    {
        var result = await PythonWebsocketsClient.RunAsync(_gateway.WebSocketUri("/"), "commands");
        Assert.StartsWith("Commands", result.GetProperty("help").GetString());
        Assert.Equal("error: unknown command \"nosuch\"; send \"help\" to list commands", result.GetProperty("unknown").GetString());
        var envelope = result.GetProperty("envelope");
        Assert.Equal("7", envelope.GetProperty("id").GetString());
        Assert.True(envelope.GetProperty("ok").GetBoolean());
        Assert.Equal(1000, result.GetProperty("finalCloseCode").GetInt32());
    }

    [Fact]
    public async Task Close_with_4000_is_answered_with_4000()
    {
        var result = await PythonWebsocketsClient.RunAsync(_gateway.WebSocketUri("/echo"), "close");
        Assert.Equal(4000, result.GetProperty("closeCode").GetInt32());
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 0, Eventually.Patience));
    }
}
