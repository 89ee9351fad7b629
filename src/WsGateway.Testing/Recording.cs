using System.Text.Json;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace WsGateway.Testing;

/// <summary>What a command or a hook did, in lists a test reads; safe to add to from several threads.</summary>
internal sealed class Recording : ILogEventSink
{
    private readonly Lock _gate = new();
    private readonly List<string> _replies = [];
    private readonly List<JsonElement> _jsonReplies = [];
    private readonly List<SentEvent> _events = [];
    private readonly List<string> _broadcasts = [];
    private readonly List<string> _joined = [];
    private readonly List<string> _left = [];
    private readonly List<SentText> _groupSends = [];
    private readonly List<SentText> _userSends = [];
    private readonly List<SentText> _sessionSends = [];
    private readonly List<string> _logMessages = [];
    private CloseRequest? _close;

    public Recording() =>
        Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();

    public ILogger Logger { get; }

    public IReadOnlyList<string> Replies => Read(_replies);
    public IReadOnlyList<JsonElement> JsonReplies => Read(_jsonReplies);
    public IReadOnlyList<SentEvent> Events => Read(_events);
    public IReadOnlyList<string> Broadcasts => Read(_broadcasts);
    public IReadOnlyList<string> JoinedGroups => Read(_joined);
    public IReadOnlyList<string> LeftGroups => Read(_left);
    public IReadOnlyList<SentText> GroupSends => Read(_groupSends);
    public IReadOnlyList<SentText> UserSends => Read(_userSends);
    public IReadOnlyList<SentText> SessionSends => Read(_sessionSends);
    public IReadOnlyList<string> LogMessages => Read(_logMessages);

    public CloseRequest? Close
    {
        get
        {
            lock (_gate)
            {
                return _close;
            }
        }
    }

    public ValueTask Reply(string text) => Add(_replies, text);

    public ValueTask ReplyJson<T>(T value)
    {
        var element = JsonSerializer.SerializeToElement(value, JsonSerializerOptions.Web);
        lock (_gate)
        {
            _jsonReplies.Add(element);
            _replies.Add(element.GetRawText());
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask Event<T>(string name, T data) =>
        Add(_events, new SentEvent(name, JsonSerializer.SerializeToElement(data, JsonSerializerOptions.Web)));

    public ValueTask Broadcast(string text) => Add(_broadcasts, text);

    public ValueTask Join(FakeSession session, string group)
    {
        session.Join(group);
        return Add(_joined, group);
    }

    public ValueTask Leave(FakeSession session, string group)
    {
        session.Leave(group);
        return Add(_left, group);
    }

    public ValueTask ToGroup(string group, string text) => Add(_groupSends, new SentText(group, text));

    public ValueTask ToUser(string user, string text) => Add(_userSends, new SentText(user, text));

    public ValueTask ToSession(string sessionId, string text) => Add(_sessionSends, new SentText(sessionId, text));

    public ValueTask Closing(int code, string reason)
    {
        lock (_gate)
        {
            _close = new CloseRequest(code, reason);
        }

        return ValueTask.CompletedTask;
    }

    public void Emit(LogEvent logEvent)
    {
        var message = logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _logMessages.Add(message);
        }
    }

    private ValueTask Add<T>(List<T> list, T item)
    {
        lock (_gate)
        {
            list.Add(item);
        }

        return ValueTask.CompletedTask;
    }

    private IReadOnlyList<T> Read<T>(List<T> list)
    {
        lock (_gate)
        {
            return [.. list];
        }
    }
}
