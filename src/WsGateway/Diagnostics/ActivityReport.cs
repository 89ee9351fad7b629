using System.Buffers;
using System.Text;
using System.Text.Json;

namespace WsGateway.Diagnostics;

/// <summary>
/// One node's activity as JSON, for the admin API across the cluster (each node answers an activity query with it):
/// <c>{"commands":[…],"reloads":[…],"refusalCounts":{…},"refusals":[…]}</c>, lists newest first. The shapes of the
/// rows are those of <c>GET /api/v1/commands</c>, <c>/reloads</c> and <c>/refusals</c> without their <c>node</c>.
/// </summary>
internal static class ActivityReport
{
    public static string Json(GatewayMetrics metrics)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("commands"u8);
            foreach (var entry in metrics.Commands.Snapshot())
            {
                json.WriteStartObject();
                json.WriteString("command"u8, entry.Command.ToLowerInvariant());
                json.WriteString("version"u8, entry.Version);
                json.WriteNumber("calls"u8, entry.Calls);
                json.WriteNumber("errors"u8, entry.Errors);
                json.WriteNumber("denials"u8, entry.Denials);
                WriteMilliseconds(json, "p50Ms"u8, entry.Quantile(0.5));
                WriteMilliseconds(json, "p99Ms"u8, entry.Quantile(0.99));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("reloads"u8);
            var reloads = metrics.Reloads.Snapshot();
            for (int i = reloads.Count - 1; i >= 0; i--)
            {
                var record = reloads[i];
                json.WriteStartObject();
                json.WriteString("at"u8, record.At);
                json.WriteString("kind"u8, record.Kind);
                json.WriteString("name"u8, record.Name);
                json.WriteString("version"u8, record.Version);
                json.WriteString("hash"u8, record.Hash);
                json.WriteString("outcome"u8, record.Outcome);
                json.WriteStartArray("diagnostics"u8);
                foreach (var diagnostic in record.Diagnostics)
                {
                    json.WriteStringValue(diagnostic);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("refusalCounts"u8);
            foreach (var (reason, count) in metrics.Refusals.Counts())
            {
                json.WriteNumber(reason, count);
            }

            json.WriteEndObject();
            json.WriteStartArray("refusals"u8);
            var latest = metrics.Refusals.Latest();
            for (int i = latest.Count - 1; i >= 0; i--)
            {
                json.WriteStartObject();
                json.WriteString("at"u8, latest[i].At);
                json.WriteString("reason"u8, latest[i].Reason);
                json.WriteString("remote"u8, latest[i].Remote);
                json.WriteString("path"u8, latest[i].Path);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteMilliseconds(Utf8JsonWriter json, ReadOnlySpan<byte> name, double? seconds)
    {
        if (seconds is { } value && double.IsFinite(value))
        {
            json.WriteNumber(name, Math.Round(value * 1000, 3));
        }
        else
        {
            // No timed call yet, or slower than the largest bucket (over two minutes, past any command timeout).
            json.WriteNull(name);
        }
    }
}
