namespace WsGateway.IntegrationTests.Console;

/// <summary>The browser's own WebSocket against the echo route: what every browser app relies on.</summary>
public sealed class BrowserEchoTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;
    private HeadlessChromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync();
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Chromium_echoes_text_binary_and_a_large_message_then_closes_cleanly()
    {
        await _chromium.Page.GotoAsync(_gateway.HttpUri("/").ToString());
        var result = await _chromium.Page.EvaluateAsync<string>(
            """
            async (url) => {
              const ws = new WebSocket(url);
              ws.binaryType = "arraybuffer";
              const received = [];
              const next = () => new Promise((resolve, reject) => {
                ws.onmessage = e => resolve(e.data);
                ws.onerror = () => reject(new Error("socket error"));
              });
              await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("no connection")); });
              ws.send("héllo 𝄞");
              received.push(await next());
              ws.send(new Uint8Array([0, 1, 2, 255]));
              received.push(Array.from(new Uint8Array(await next())).join(","));
              const big = "x".repeat(1024 * 1024);
              ws.send(big);
              received.push((await next()).length);
              const closed = new Promise(resolve => { ws.onclose = e => resolve(e.code + " " + e.wasClean); });
              ws.close(1000, "done");
              received.push(await closed);
              return JSON.stringify(received);
            }
            """,
            _gateway.WebSocketUri("/echo").ToString());

        Assert.Equal("""["héllo 𝄞","0,1,2,255",1048576,"1000 true"]""", result);
        Assert.Empty(_chromium.Problems);
    }
}
