using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Serilog.Events;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>What the authentication tests send and read: raw handshakes, refused ClientWebSocket connects, metrics, logs.</summary>
internal static class Handshakes
{
    /// <summary>A whole plain-HTTP answer to an upgrade: the head, and everything after it until the server closed TCP.</summary>
    public sealed record Answer(string Head, string Body)
    {
        public int Status => int.Parse(Head.Split(' ', 3)[1], CultureInfo.InvariantCulture);

        /// <summary>The value of header <paramref name="name"/>, or null.</summary>
        public string? Header(string name) => Head.Split("\r\n")
            .Where(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(line => line[(name.Length + 1)..].Trim())
            .FirstOrDefault();
    }

    /// <summary>
    /// Sends an upgrade request to "/" (<paramref name="target"/> may add a query) with <paramref name="extraHeaders"/>
    /// and reads the answer to the end: a refusal is one HTTP response, then the server closes the connection.
    /// </summary>
    public static async Task<Answer> RefusedUpgradeAsync(TestGateway gateway, string? extraHeaders = null, string target = "/")
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        var head = await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, target, extraHeaders));
        Assert.DoesNotContain("101", head.Split("\r\n")[0]);
        // Everything until the server closed TCP: only the response body may be there, no WebSocket frame.
        var body = await client.ReadToEndAsync();
        return new Answer(head, body);
    }

    /// <summary>The status line of the answer to an upgrade request, the connection dropped right after.</summary>
    public static async Task<string> StatusLineAsync(TestGateway gateway, string? extraHeaders = null, string target = "/")
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        var head = await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, target, extraHeaders));
        return head.Split("\r\n")[0];
    }

    /// <summary>Connects a ClientWebSocket that must be refused; returns the HTTP status and headers it was refused with.</summary>
    public static async Task<(HttpStatusCode Status, IReadOnlyDictionary<string, IEnumerable<string>>? Headers)> RefusedConnectAsync(
        TestGateway gateway, Action<ClientWebSocketOptions>? configure = null, string path = "/")
    {
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(client.Options);
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(gateway.WebSocketUri(path), timeout.Token));
        Assert.NotEqual(WebSocketState.Open, client.State);
        return (client.HttpStatusCode, client.HttpResponseHeaders);
    }

    public static Action<ClientWebSocketOptions> Bearer(string token) =>
        options => options.SetRequestHeader("Authorization", "Bearer " + token);

    public static async Task<string> MetricsAsync(TestGateway gateway)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(gateway.HttpUri("/metrics"));
    }

    /// <summary>The value of one sample (<c>name{labels}</c> as exported); 0 when it is not there yet.</summary>
    public static double Sample(string metrics, string series)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Every log event as an operator's sink could write it: the rendered message, the template, every property
    /// (name and value) and the exception.
    /// </summary>
    public static IEnumerable<string> RenderEverything(LogCollector logs) => logs.Events.Select(Render);

    public static string Render(LogEvent e)
    {
        var text = new StringBuilder(e.RenderMessage()).Append(" | ").Append(e.MessageTemplate.Text);
        foreach (var (name, value) in e.Properties)
        {
            text.Append(" | ").Append(name).Append('=').Append(value.ToString());
        }

        return text.Append(" | ").Append(e.Exception?.ToString()).ToString();
    }

    /// <summary>The value of scalar property <paramref name="name"/> of <paramref name="e"/>, or null.</summary>
    public static object? Property(LogEvent e, string name) =>
        e.Properties.TryGetValue(name, out var value) && value is ScalarValue scalar ? scalar.Value : null;

    /// <summary>The id of the session the gateway logged as authenticated for <paramref name="user"/> (the last one).</summary>
    public static async Task<string> SessionOfAsync(LogCollector logs, string user)
    {
        LogEvent? Find() => logs.Events.LastOrDefault(e =>
            e.MessageTemplate.Text.Contains("authenticated as {User}", StringComparison.Ordinal) && Equals(Property(e, "User"), user));
        Assert.True(await Eventually.TrueAsync(() => Find() is not null, Eventually.Patience), $"no \"authenticated as {user}\" line");
        return (string)Property(Find()!, "SessionId")!;
    }
}
