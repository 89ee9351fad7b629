using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using WsGateway.Broadcasting;
using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>
/// The built-in <c>history</c>: a group's kept messages (<c>History:Groups</c>), to a member of the group. With a
/// position (the offset and epoch of the last message a client saw) it is recovery: the messages after it, and whether
/// they are all there (<c>recovered</c>). docs/protocol.md, "History and recovery".
/// </summary>
internal static class HistoryCommand
{
    public const string Name = "history";

    /// <summary>The most messages one call returns.</summary>
    public const int MaxLimit = 1000;

    public static CommandDescriptor Create(IHistoryStore store) => new(
        Name,
        "history <group>: the group's recent messages (for its members; wsgateway.v1 clients send {group, since: {offset, epoch}, limit} as data).",
        CommandOrigin.BuiltIn,
        context => RunAsync(context, store));

    private static async ValueTask RunAsync(ICommandContext context, IHistoryStore store)
    {
        var (group, since, limit) = Read(context);
        if (!context.Session.Groups.Contains(group))
        {
            throw new CallErrorException(CallErrors.Forbidden, $"only members of \"{group}\" may read its history; join it first");
        }

        if (store.RuleFor(group) is not { } rule)
        {
            throw new CallErrorException(CallErrors.NoHistory, $"\"{group}\" keeps no history (History:Groups)");
        }

        // Recovery reads on from the position (from the oldest kept when its epoch is gone); a plain read gives the newest.
        HistoryPage page;
        try
        {
            page = await store.ReadAsync(group, rule, since, limit, context.CancellationToken);
        }
        catch (HistoryUnavailableException unavailable)
        {
            throw new CallErrorException(CallErrors.Unavailable, unavailable.Message);
        }

        if (since is { } position && page.SameEpoch && position.Offset > page.Last)
        {
            throw new CallErrorException(CallErrors.BadPosition, string.Create(CultureInfo.InvariantCulture,
                $"offset {position.Offset} is past the last message of \"{group}\" ({page.Last}) in this epoch"));
        }

        var entries = page.Entries;
        if (context.Data is null)
        {
            await context.ReplyAsync(Render(entries));
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, CallProtocol.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("group"u8, group);
            json.WriteString("epoch"u8, page.Epoch);
            json.WriteNumber("offset"u8, page.Last);
            if (since is { } from)
            {
                // Nothing missing between the position and the first message given (or after it, when none is); what
                // the limit left out is "more", read on from the last offset given.
                bool recovered = page.SameEpoch && (entries.Count == 0 ? page.Complete : entries[0].Offset == from.Offset + 1);
                json.WriteBoolean("recovered"u8, recovered);
            }

            if (entries.Count > 0 && entries[^1].Offset < page.Last)
            {
                json.WriteBoolean("more"u8, true);
            }

            json.WriteStartArray("messages"u8);
            foreach (var entry in entries)
            {
                CallProtocol.WriteEventObject(json, entry.Message);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await ((CommandContext)context).ReplyJsonAsync(buffer.WrittenMemory);
    }

    private static (string Group, HistoryPosition? Since, int Limit) Read(ICommandContext context)
    {
        if (context.Data is not { } data)
        {
            var name = context.Arguments.Trim();
            return GroupNames.IsValid(name) ? (name, null, MaxLimit) : throw Bad("history <group>: a group name");
        }

        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("group", out var groupValue)
            || groupValue.ValueKind != JsonValueKind.String || !GroupNames.IsValid(groupValue.GetString()!))
        {
            throw Bad("data must be {\"group\": NAME, \"since\": {\"offset\": N, \"epoch\": E}, \"limit\": N}, with a valid group name");
        }

        HistoryPosition? since = null;
        if (data.TryGetProperty("since", out var sinceValue) && sinceValue.ValueKind != JsonValueKind.Null)
        {
            if (sinceValue.ValueKind != JsonValueKind.Object
                || !sinceValue.TryGetProperty("offset", out var offset) || !offset.TryGetInt64(out long at) || at < 0
                || !sinceValue.TryGetProperty("epoch", out var epoch) || epoch.ValueKind != JsonValueKind.String)
            {
                throw Bad("\"since\" is {\"offset\": N (0 or more), \"epoch\": E} as the last event of the group gave them");
            }

            since = new HistoryPosition(at, epoch.GetString()!);
        }

        int limit = MaxLimit;
        if (data.TryGetProperty("limit", out var limitValue) && (!limitValue.TryGetInt32(out limit) || limit is < 1 or > MaxLimit))
        {
            throw Bad($"\"limit\" is 1 to {MaxLimit}");
        }

        return (groupValue.GetString()!, since, limit);
    }

    private static CallErrorException Bad(string message) => new(CallErrors.BadArguments, message);

    /// <summary>Plain text: one line per message, its offset and (when a session sent it) its sender first.</summary>
    private static string Render(IReadOnlyList<HistoryEntry> entries)
    {
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(entry.Offset.ToString(CultureInfo.InvariantCulture)).Append(' ');
            if (entry.Message.SenderUser is { } user)
            {
                text.Append(user).Append(": ");
            }

            text.Append(entry.Message.PlainText).Append('\n');
        }

        return text.Length == 0 ? "(no messages kept)" : text.ToString(0, text.Length - 1);
    }
}
