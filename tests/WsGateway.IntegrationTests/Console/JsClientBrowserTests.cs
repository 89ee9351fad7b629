using System.Text.Json;
using WsGateway.IntegrationTests.Commands;

namespace WsGateway.IntegrationTests.Console;

/// <summary>
/// The served JavaScript client in the browser it is written for: imported from the gateway in headless Chromium,
/// it calls, gets events with their group and sender, and reports a refused token once, without retrying it.
/// </summary>
public sealed class JsClientBrowserTests : IAsyncLifetime
{
    private HeadlessChromium _chromium = null!;

    public async Task InitializeAsync() => _chromium = await HeadlessChromium.LaunchAsync();

    public async Task DisposeAsync() => await _chromium.DisposeAsync();

    [Fact]
    public async Task In_chromium_calls_resolve_and_a_group_message_arrives_as_an_event_with_its_sender()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync();
        ProtocolTestCommands.Register(gateway);
        await _chromium.Page.GotoAsync(gateway.HttpUri("/").ToString());

        var result = await _chromium.Page.EvaluateAsync<string>(
            """
            async (url) => {
              const { connect, CallError } = await import('/client/wsgateway.js');
              const listener = connect(url);
              const speaker = connect(url);
              await Promise.all([listener.ready(), speaker.ready()]);
              await listener.join('room');
              const event = new Promise((resolve) => listener.on('group', resolve));
              const greeting = await speaker.call('greet', 'Ada');
              await speaker.call('say', 'hello room');
              const received = await event;
              let unknown;
              try { await speaker.call('nosuch'); } catch (e) { unknown = e instanceof CallError ? e.code : String(e); }
              const result = { greeting, received, speaker: speaker.welcome.session, unknown };
              listener.close();
              speaker.close();
              return JSON.stringify(result);
            }
            """,
            gateway.WebSocketUri("/").ToString());

        using var json = JsonDocument.Parse(result);
        var root = json.RootElement;
        Assert.Equal("hi Ada", root.GetProperty("greeting")[0].GetString());
        Assert.Equal(("group", "room", "hello room"), (root.GetProperty("received").GetProperty("event").GetString(), root.GetProperty("received").GetProperty("group").GetString(), root.GetProperty("received").GetProperty("text").GetString()));
        Assert.Equal(root.GetProperty("speaker").GetString(), root.GetProperty("received").GetProperty("from").GetProperty("session").GetString());
        Assert.Equal("unknown_command", root.GetProperty("unknown").GetString());
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task In_chromium_a_refused_token_is_an_authentication_error_not_a_network_failure_and_is_not_retried()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync(o =>
        {
            o.Authentication.Methods = ["apikey"];
            o.Authentication.ApiKeys = [new() { Name = "app", Key = "right-key-0123456789abcdef", Roles = [] }];
        });
        await _chromium.Page.GotoAsync(gateway.HttpUri("/").ToString());

        var result = await _chromium.Page.EvaluateAsync<string>(
            """
            async (url) => {
              const { connect, AuthenticationError } = await import('/client/wsgateway.js');
              const client = connect(url, { token: 'wrong-key-0123456789abcdef', initialDelayMs: 10, maxDelayMs: 20 });
              const states = [];
              client.on('state', (state) => states.push(state));
              try {
                await client.ready();
                return JSON.stringify({ ready: true });
              } catch (error) {
                // Long enough for several reconnects at these delays, had the client made any.
                await new Promise((resolve) => setTimeout(resolve, 300));
                return JSON.stringify({ authentication: error instanceof AuthenticationError, code: error.code, closeCode: error.closeCode, states });
              }
            }
            """,
            gateway.WebSocketUri("/").ToString());

        using var json = JsonDocument.Parse(result);
        var root = json.RootElement;
        Assert.True(root.GetProperty("authentication").GetBoolean(), result);
        Assert.Equal(("auth_refused", 4401), (root.GetProperty("code").GetString(), root.GetProperty("closeCode").GetInt32()));
        Assert.DoesNotContain("reconnecting", root.GetProperty("states").EnumerateArray().Select(s => s.GetString()));
    }
}
