using System.Net.WebSockets;

namespace WsGateway.Benchmark.Soak;

/// <summary>How the soak's clients and reloads check a reply and record a failure.</summary>
internal static class SoakChecks
{
    public static void Expect(bool condition, string request, string reply)
    {
        if (!condition)
        {
            throw new SoakException($"\"{Shorten(request)}\" was answered \"{Shorten(reply)}\"");
        }
    }

    public static void Failed(SoakStats stats, string who, Exception ex)
    {
        if (ex is SoakException { UnexpectedClose: true } or WebSocketException)
        {
            Interlocked.Increment(ref stats.UnexpectedCloses);
        }

        stats.Error($"{who}: {ex.Message}");
    }

    public static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
