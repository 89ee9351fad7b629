using System.Text.Json;
using Serilog;
using WsGateway.Broadcasting;

namespace WsGateway.Api;

/// <summary>
/// The activity reports of the nodes that answered (<c>ActivityReport</c>), merged for the admin API: every row gets
/// its node; reloads and refusals are interleaved newest first, refusal counts are summed over the nodes.
/// </summary>
internal sealed class ClusterActivity : IDisposable
{
    /// <summary>At most this many refusals are listed for the whole cluster: the newest.</summary>
    public const int LatestRefusals = 100;

    private readonly List<(string Node, JsonDocument Report)> _reports;

    private ClusterActivity(List<(string Node, JsonDocument Report)> reports) => _reports = reports;

    public static ClusterActivity Read(IReadOnlyList<NodeAnswer> answers, ILogger log)
    {
        var reports = new List<(string, JsonDocument)>();
        foreach (var answer in answers)
        {
            if (answer.Activity is not { } text)
            {
                continue;
            }

            try
            {
                reports.Add((answer.Node, JsonDocument.Parse(text)));
            }
            catch (JsonException ex)
            {
                // Another node's bug must not fail the whole answer; that node's rows are missing, and the log says why.
                log.Warning("Node {Node} answered an activity query with a report that is not JSON: {Problem}", answer.Node, ex.Message);
            }
        }

        return new ClusterActivity(reports);
    }

    /// <summary><c>"commands"</c>: by command, then node, then version.</summary>
    public void WriteCommands(Utf8JsonWriter json)
    {
        json.WriteStartArray("commands"u8);
        var rows = Rows("commands")
            .OrderBy(r => r.Row.GetProperty("command").GetString(), StringComparer.Ordinal)
            .ThenBy(r => r.Node, StringComparer.Ordinal)
            .ThenBy(r => r.Row.GetProperty("version").ToString(), StringComparer.Ordinal);
        foreach (var (node, row) in rows)
        {
            WriteRow(json, node, row);
        }

        json.WriteEndArray();
    }

    /// <summary><c>"reloads"</c>: newest first.</summary>
    public void WriteReloads(Utf8JsonWriter json)
    {
        json.WriteStartArray("reloads"u8);
        foreach (var (node, row) in Rows("reloads").OrderByDescending(r => r.Row.GetProperty("at").GetDateTimeOffset()))
        {
            WriteRow(json, node, row);
        }

        json.WriteEndArray();
    }

    /// <summary><c>"counts"</c> summed over the nodes, and <c>"latest"</c>: the newest first.</summary>
    public void WriteRefusals(Utf8JsonWriter json)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (_, report) in _reports)
        {
            foreach (var count in report.RootElement.GetProperty("refusalCounts").EnumerateObject())
            {
                counts[count.Name] = counts.GetValueOrDefault(count.Name) + count.Value.GetInt64();
            }
        }

        json.WriteStartObject("counts"u8);
        foreach (var (reason, count) in counts)
        {
            json.WriteNumber(reason, count);
        }

        json.WriteEndObject();
        json.WriteStartArray("latest"u8);
        foreach (var (node, row) in Rows("refusals").OrderByDescending(r => r.Row.GetProperty("at").GetDateTimeOffset()).Take(LatestRefusals))
        {
            WriteRow(json, node, row);
        }

        json.WriteEndArray();
    }

    public void Dispose()
    {
        foreach (var (_, report) in _reports)
        {
            report.Dispose();
        }
    }

    private IEnumerable<(string Node, JsonElement Row)> Rows(string list) =>
        _reports.SelectMany(r => r.Report.RootElement.GetProperty(list).EnumerateArray().Select(row => (r.Node, row)));

    private static void WriteRow(Utf8JsonWriter json, string node, JsonElement row)
    {
        json.WriteStartObject();
        json.WriteString("node"u8, node);
        foreach (var property in row.EnumerateObject())
        {
            property.WriteTo(json);
        }

        json.WriteEndObject();
    }
}
