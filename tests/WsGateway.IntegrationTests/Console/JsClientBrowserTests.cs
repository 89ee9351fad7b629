using System.Net.Sockets;
using System.Text.Json;
using WsGateway.IntegrationTests.Commands;

namespace WsGateway.IntegrationTests.Console;

/// <summary>
/// The served JavaScript client in the browser it is written for: imported from the gateway in headless Chromium,
/// it calls, gets events with their group and sender, reports a refused token once, without retrying it, and comes
/// back by itself, in its group, when the gateway restarts.
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
    public async Task In_chromium_a_client_in_a_group_reconnects_to_a_restarted_gateway_with_back_off_and_is_back_in_its_group()
    {
        var gateway = await ProtocolTestCommands.StartGatewayAsync();
        var port = gateway.Port;
        var probe = ProtocolTestCommands.Register(gateway);
        var page = _chromium.Page;
        try
        {
            // A page of the gateway's own (the console), so the library is imported from the same origin.
            await page.GotoAsync(gateway.HttpUri("/").ToString());
            var session = await page.EvaluateAsync<string>(
                """
                async (url) => {
                  const { connect } = await import('/client/wsgateway.js');
                  const client = connect(url, { initialDelayMs: 100, maxDelayMs: 1000 });
                  window.restartTest = { client, states: [], closes: [] };
                  client.on('state', (state) => window.restartTest.states.push(state));
                  client.on('close', (close) => window.restartTest.closes.push(close));
                  const welcome = await client.ready();
                  await client.join('room');
                  return welcome.session;
                }
                """,
                gateway.WebSocketUri("/").ToString());
            Assert.Equal(1, Volatile.Read(ref probe.Joins));

            // Graceful stop (1001), then a new gateway on the same port: the client is to find it by itself.
            await gateway.DisposeAsync();
            gateway = await StartAgainAsync(port);
            ProtocolTestCommands.Register(gateway);

            var result = await page.EvaluateAsync<string>(
                """
                async ({ first, url, patienceMs }) => {
                  const { connect } = await import('/client/wsgateway.js');
                  const { client, states, closes } = window.restartTest;
                  // A failure is a clear message within the test's patience, not a hung evaluation.
                  const within = (promise, what) => Promise.race([promise, new Promise((_, reject) =>
                    setTimeout(() => reject(new Error(`${what} within ${patienceMs} ms`)), patienceMs))]);
                  if (client.state !== 'open' || client.welcome.session === first) {
                    await within(new Promise((resolve) => {
                      const off = client.on('welcome', () => { off(); resolve(); });
                    }), 'no welcome from the new gateway');
                  }
                  const speaker = connect(url);
                  await speaker.ready();
                  const event = new Promise((resolve) => client.on('group', resolve));
                  await speaker.call('say', 'after the restart');
                  const received = await within(event, 'no group message after the restart');
                  const result = { states: [...states], closes: [...closes], groups: client.groups, session: client.welcome.session, received: received.text };
                  client.close();
                  speaker.close();
                  return JSON.stringify(result);
                }
                """,
                new { first = session, url = gateway.WebSocketUri("/").ToString(), patienceMs = Eventually.Patience.TotalMilliseconds });

            using var json = JsonDocument.Parse(result);
            var root = json.RootElement;
            // Back-off, never given up: the first close (1001, the shutdown) waits at most the first ceiling, and each
            // attempt that found the port closed waits again, up to maxDelayMs.
            Assert.Equal(["open", "reconnecting", "open"], root.GetProperty("states").EnumerateArray().Select(s => s.GetString()));
            var closes = root.GetProperty("closes").EnumerateArray().ToList();
            Assert.Equal((1001, true), (closes[0].GetProperty("code").GetInt32(), closes[0].GetProperty("wasOpen").GetBoolean()));
            Assert.InRange(closes[0].GetProperty("reconnectInMs").GetDouble(), 0, 100);
            Assert.All(closes.Skip(1), close =>
            {
                Assert.False(close.GetProperty("wasOpen").GetBoolean());
                Assert.InRange(close.GetProperty("reconnectInMs").GetDouble(), 0, 1000);
            });
            Assert.NotEqual(session, root.GetProperty("session").GetString());
            Assert.Equal(["room"], root.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
            Assert.Equal("after the restart", root.GetProperty("received").GetString());
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        // Attempts that landed while the gateway was down are the outage, not a fault of the page or the library.
        Assert.DoesNotContain(_chromium.Problems, p => !(p.Contains("WebSocket connection to", StringComparison.Ordinal) && p.Contains("failed", StringComparison.Ordinal)));
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

    /// <summary>A new gateway on <paramref name="port"/>, retrying while the old listener still holds it.</summary>
    private static async Task<TestGateway> StartAgainAsync(int port)
    {
        var deadline = DateTime.UtcNow + Eventually.Patience;
        while (true)
        {
            try
            {
                return await ProtocolTestCommands.StartGatewayAsync(o => o.Listen.Port = port);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
