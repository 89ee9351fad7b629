using System.Text;
using System.Text.Json;
using WsGateway.Broadcasting;
using WsGateway.Contracts;

namespace WsGateway.Api;

/// <summary>
/// Reads the body of <c>POST /api/v1/publish</c> strictly: one JSON object, known fields only, each once and of its
/// type; exactly one audience (<c>group</c>, <c>user</c>, <c>session</c> or <c>"everyone": true</c>) and exactly one
/// payload (<c>text</c> or <c>data</c>). Pure: no I/O.
/// </summary>
internal static class PublishRequestParser
{
    /// <returns>Null with the request when it is acceptable; otherwise the problem to answer.</returns>
    public static ApiProblem? TryParse(ReadOnlySpan<byte> body, out PublishRequest? request)
    {
        request = null;
        string? group = null, user = null, session = null, text = null, data = null, eventName = null;
        bool everyone = false;
        var framing = StrictJsonObject.Read(body, (string name, ref Utf8JsonReader reader, ReadOnlySpan<byte> json) => name switch
        {
            "group" => ReadString(ref reader, name, out group),
            "user" => ReadString(ref reader, name, out user),
            "session" => ReadString(ref reader, name, out session),
            "text" => ReadString(ref reader, name, out text),
            "event" => ReadString(ref reader, name, out eventName),
            "everyone" => reader.TokenType == JsonTokenType.True
                ? SetTrue(out everyone)
                : ApiProblems.InvalidField(name, "\"everyone\" must be true when given."),
            "data" => ReadData(ref reader, json, out data),
            _ => ApiProblems.UnknownField(name),
        });
        if (framing is not null)
        {
            return framing;
        }

        int audiences = (group is null ? 0 : 1) + (user is null ? 0 : 1) + (session is null ? 0 : 1) + (everyone ? 1 : 0);
        if (audiences == 0)
        {
            return ApiProblems.MissingField("group", "Say whom to publish to: one of \"group\", \"user\", \"session\" or \"everyone\": true.");
        }

        if (audiences > 1)
        {
            return ApiProblems.InvalidField(group is null ? "user" : "group", "Give exactly one of \"group\", \"user\", \"session\" and \"everyone\".");
        }

        if ((text is null) == (data is null))
        {
            return text is null
                ? ApiProblems.MissingField("text", "Give the message as \"text\" (a string) or \"data\" (any JSON value).")
                : ApiProblems.InvalidField("data", "Give exactly one of \"text\" and \"data\".");
        }

        if (group is not null && !GroupNames.IsValid(group))
        {
            return ApiProblems.InvalidGroup("group", group);
        }

        if (eventName is not null && !EventNames.IsValid(eventName))
        {
            return ApiProblems.InvalidField("event", $"\"{eventName}\" is not an event name: {EventNames.Rule}.");
        }

        var to = group is not null ? Audience.Group(group)
            : user is not null ? Audience.User(user)
            : session is not null ? Audience.Session(session)
            : Audience.Everyone;
        if (to.Problem is { } why)
        {
            return ApiProblems.InvalidField(user is not null ? "user" : "session", $"The audience is {why}.");
        }

        request = new PublishRequest(to, text, data, eventName);
        return null;
    }

    private static ApiProblem? ReadString(ref Utf8JsonReader reader, string name, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            SkipValue(ref reader);
            return ApiProblems.InvalidField(name, $"\"{name}\" must be a string.");
        }

        value = reader.GetString();
        return null;
    }

    private static ApiProblem? SetTrue(out bool value)
    {
        value = true;
        return null;
    }

    /// <summary>The value as its JSON text, exactly as sent (what plain-text clients receive).</summary>
    private static ApiProblem? ReadData(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, out string? data)
    {
        data = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return ApiProblems.InvalidField("data", "\"data\" must not be null.");
        }

        int start = (int)reader.TokenStartIndex;
        SkipValue(ref reader);
        data = Encoding.UTF8.GetString(body[start..(int)reader.BytesConsumed]);
        return null;
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }
    }
}
