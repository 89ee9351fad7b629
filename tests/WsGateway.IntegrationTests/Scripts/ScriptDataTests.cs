using WsGateway.Client;

namespace WsGateway.IntegrationTests.Scripts;

/// <summary>A script reads a call's JSON and answers with JSON and an event, through its globals, to a real client.</summary>
public sealed class ScriptDataTests
{
    private const string Script = """
        // description: A forecast for the city in the call's data
        var city = Data?.GetProperty("city").GetString() ?? "nowhere";
        await SendEventAsync("forecast.requested", new { City = city });
        await Reply(new { City = city, Celsius = 21.5 });
        """;

    [Fact]
    public async Task A_script_reads_the_calls_data_and_replies_with_json_and_an_event()
    {
        await using var gateway = await TestGateway.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(gateway.Root, "scripts", "forecast.csx"), Script);
        await using var client = await GatewayClient.ConnectAsync(gateway.WebSocketUri("/"));
        var events = new List<GatewayEvent>();
        using var _ = client.On("forecast.requested", e => { lock (events) { events.Add(e); } });

        // The script is compiled once the watcher sees it: until then the command is unknown.
        var replies = await Eventually.ValueAsync(
            async () =>
            {
                try
                {
                    return await client.CallAsync("forecast", data: new { City = "Oslo" });
                }
                catch (CallException ex) when (ex.Code == "unknown_command")
                {
                    return null;
                }
            },
            r => r is not null,
            Eventually.Patience);

        var forecast = Assert.Single(replies!).As<Forecast>()!;
        Assert.Equal(("Oslo", 21.5), (forecast.City, forecast.Celsius));
        lock (events)
        {
            Assert.Equal("Oslo", Assert.Single(events).Data?.GetProperty("city").GetString());
        }
    }

    private sealed record Forecast(string City, double Celsius);
}
