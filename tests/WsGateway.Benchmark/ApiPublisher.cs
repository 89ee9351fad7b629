using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace WsGateway.Benchmark;

/// <summary>
/// The broadcast mode's sender when it publishes through the gateway's HTTP API (<c>--publish-api KEY</c>) instead of
/// its WebSocket: each broadcast is a <c>POST /api/v1/publish</c> to the group (or to everyone), made the way a backend
/// makes it, with <see cref="HttpClient"/>. The sender's own copy still arrives on its WebSocket and sends the next.
/// </summary>
internal sealed class ApiPublisher : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _publish;
    private readonly byte[] _body;
    private readonly int _payloadOffset;
    private readonly ConcurrentQueue<Exception> _errors = new();

    public ApiPublisher(BroadcastOptions options)
    {
        // The API answers each request and closes (Connection: close), so every publish is a connection of its own.
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        _http.DefaultRequestHeaders.Authorization = new("Bearer", options.PublishApiKey);
        _publish = new Uri($"http://{options.Url.Host}:{options.Url.Port}/api/v1/publish");
        var payload = Encoding.ASCII.GetString(options.Payload());
        var audience = options.Group is { } group ? $"\"group\":\"{group}\"" : "\"everyone\":true";
        var body = $"{{{audience},\"text\":\"{payload}\"}}";
        _body = Encoding.ASCII.GetBytes(body);
        _payloadOffset = body.IndexOf(payload, StringComparison.Ordinal);
    }

    /// <summary>Failed publishes (a status other than 200, or no answer), for the run's error count.</summary>
    public IEnumerable<Exception> Errors => _errors;

    private int _assigned;
    private int _running;

    /// <summary>
    /// Starts <paramref name="window"/> publishers, each sending its next publish when the previous one is answered (a
    /// backend that waits for each answer), until the clock's send window closes or <paramref name="max"/> are sent;
    /// then calls <paramref name="finished"/> with how many were sent.
    /// </summary>
    public void Start(BroadcastTimeline timeline, int window, int max, Action<int> finished)
    {
        _running = window;
        for (int i = 0; i < window; i++)
        {
            _ = Task.Run(() => PublishLoopAsync(timeline, max, finished));
        }
    }

    private async Task PublishLoopAsync(BroadcastTimeline timeline, int max, Action<int> finished)
    {
        while (Stopwatch.GetTimestamp() < timeline.Clock.SendUntil)
        {
            int sequence = Interlocked.Increment(ref _assigned) - 1;
            if (sequence >= max)
            {
                break;
            }

            var body = (byte[])_body.Clone();
            BroadcastOptions.WriteSequence(body.AsSpan(_payloadOffset, BroadcastOptions.SequenceDigits), sequence);
            timeline.MarkSent(sequence);
            await PublishAsync(body).ConfigureAwait(false);
        }

        if (Interlocked.Decrement(ref _running) == 0)
        {
            finished(Math.Min(Volatile.Read(ref _assigned), max));
        }
    }

    private async Task PublishAsync(byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await _http.PostAsync(_publish, content).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                _errors.Enqueue(new BenchmarkException($"publish answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}"));
            }
        }
        catch (Exception ex)
        {
            _errors.Enqueue(ex);
        }
    }

    public void Dispose() => _http.Dispose();
}
