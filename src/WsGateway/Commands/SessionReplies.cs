using System.Buffers;
using System.Text;
using System.Text.Json;
using WsGateway.Protocol;
using WsGateway.Sending;
using WsGateway.Transport;

namespace WsGateway.Commands;

/// <summary>
/// The replies of one command session, in its language: plain text, JSON envelopes when a request came in one, or the
/// frames of <c>wsgateway.v1</c> (docs/protocol.md) when the session asked for it. Replies come from the session's
/// worker, but also from a command still running after its timeout or from several tasks of one command, so they are
/// written under one lock: the JSON writer is shared, a frame is copied into the connection's output whole, and a
/// call's final frame (its error, or in <c>wsgateway.v1</c> its result) is its last. The lock never covers I/O: the
/// send happens after it. A reply whose send has to wait for the peer resumes its command on the thread pool, not on
/// the socket engine's thread where the send completes (<see cref="SocketThread"/>).
/// </summary>
internal sealed class SessionReplies
{
    private readonly FrameSender _sender;
    private readonly bool _protocol;
    private readonly Lock _gate = new();

    // Made for the first JSON frame, under the lock (about 450 bytes): sessions that speak plain text never need them.
    private ArrayBufferWriter<byte>? _jsonBuffer;
    private Utf8JsonWriter? _jsonWriter;

    /// <param name="protocol">The session speaks <c>wsgateway.v1</c>.</param>
    public SessionReplies(FrameSender sender, bool protocol)
    {
        _sender = sender;
        _protocol = protocol;
    }

    /// <summary>
    /// A command's reply: plain text, an envelope or a <c>reply</c> frame; dropped after the call ended. Paced by the
    /// client past <see cref="TransportConnection.WaitThreshold"/> unsent bytes (see <see cref="FrameSender.FlushAsync"/>);
    /// fails with <see cref="OperationCanceledException"/> once the connection is gone.
    /// </summary>
    public ValueTask ReplyAsync(CommandContext context, string text) => Send(context, null, text, default);

    /// <summary>A reply of JSON (<paramref name="data"/>, valid UTF-8 JSON): as <see cref="ReplyAsync"/>.</summary>
    public ValueTask ReplyDataAsync(CommandContext context, ReadOnlyMemory<byte> data) => Send(context, null, null, data);

    /// <summary>An event to the caller, <paramref name="text"/> or JSON <paramref name="data"/>: as <see cref="ReplyAsync"/>.</summary>
    public ValueTask SendEventAsync(CommandContext context, string name, string? text, ReadOnlyMemory<byte> data) => Send(context, name, text, data);

    /// <summary>An error in answer to a request; with <paramref name="context"/>, its call's final frame.</summary>
    /// <param name="id">The request's id (raw JSON); null for a plain-text request, or a frame without a usable id.</param>
    /// <param name="code">What <c>wsgateway.v1</c> and the envelope give as <c>code</c> (<see cref="CallErrors"/>).</param>
    public ValueTask ReplyErrorAsync(string? id, string code, string message, CommandContext? context = null)
    {
        bool queued;
        lock (_gate)
        {
            if (context is not null)
            {
                context.Completed = true;
            }

            queued = QueueError(id, code, message);
        }

        return queued ? SocketThread.LeaveAfter(_sender.FlushAsync()) : ValueTask.CompletedTask;
    }

    /// <summary>
    /// Ends the call: whatever the command still sends is dropped. In <c>wsgateway.v1</c> a call that no error ended
    /// gets its <c>result</c> now, its final frame.
    /// </summary>
    public ValueTask EndAsync(CommandContext context)
    {
        bool queued = false;
        lock (_gate)
        {
            if (!context.Completed)
            {
                context.Completed = true;
                if (_protocol)
                {
                    Span<byte> frame = stackalloc byte[256];
                    if (CallProtocol.TryFormatResult(context.EnvelopeId!, frame, out int length))
                    {
                        queued = _sender.TryQueue(Opcode.Text, frame[..length]);
                    }
                    else
                    {
                        var json = StartJson();
                        CallProtocol.WriteResult(json, context.EnvelopeId!);
                        queued = QueueJson(json);
                    }
                }
            }
        }

        return queued ? SocketThread.LeaveAfter(_sender.FlushAsync()) : ValueTask.CompletedTask;
    }

    /// <summary>The <c>welcome</c> frame: queued, sent with the 101 by the connection's first send.</summary>
    public void QueueWelcome(CommandSession session, string node)
    {
        lock (_gate)
        {
            var json = StartJson();
            CallProtocol.WriteWelcome(json, session.Id, node, session.Identity);
            QueueJson(json);
        }
    }

    /// <param name="eventName">Null for a reply; an event's name otherwise.</param>
    private ValueTask Send(CommandContext context, string? eventName, string? text, ReadOnlyMemory<byte> data)
    {
        bool dropped, queued = false;
        lock (_gate)
        {
            dropped = context.Completed;
            if (!dropped)
            {
                queued = eventName is null ? QueueReply(context.EnvelopeId, text, data.Span) : QueueEvent(eventName, text, data.Span);
            }
        }

        if (!queued && _sender.IsGone)
        {
            // A command replying in a loop must stop when its client is gone, not spin on until its timeout (also when
            // the session has already given up on the call because the connection closed).
            return ValueTask.FromException(new OperationCanceledException("The connection is gone; the reply was not sent."));
        }

        if (dropped)
        {
            if (eventName is null)
            {
                context.Logger.Warning("Reply from {Command} after it ended (timed out?) was dropped", context.CommandName);
            }
            else
            {
                context.Logger.Warning("Event {Event} from {Command} after it ended (timed out?) was dropped", eventName, context.CommandName);
            }
        }

        return queued ? SocketThread.LeaveAfter(_sender.FlushAsync()) : ValueTask.CompletedTask;
    }

    /// <summary>Call under the lock: the frame is copied into the connection's output before it returns.</summary>
    private bool QueueReply(string? id, string? text, ReadOnlySpan<byte> data)
    {
        if (_protocol)
        {
            var json = StartJson();
            CallProtocol.WriteReply(json, id!, text, data);
            return QueueJson(json);
        }

        if (id is null)
        {
            return text is null ? _sender.TryQueue(Opcode.Text, data) : _sender.TryQueueText(text);
        }

        var envelope = StartJson();
        envelope.WriteStartObject();
        WriteEnvelopeId(envelope, id);
        envelope.WriteBoolean("ok"u8, true);
        if (text is not null)
        {
            envelope.WriteString("text"u8, text);
        }
        else
        {
            envelope.WritePropertyName("data"u8);
            envelope.WriteRawValue(data, skipInputValidation: true);
        }

        envelope.WriteEndObject();
        return QueueJson(envelope);
    }

    /// <summary>Call under the lock.</summary>
    private bool QueueError(string? id, string code, string message)
    {
        if (_protocol)
        {
            var json = StartJson();
            CallProtocol.WriteError(json, id, code, message);
            return QueueJson(json);
        }

        if (id is null)
        {
            return _sender.TryQueueText("error: " + message);
        }

        var envelope = StartJson();
        envelope.WriteStartObject();
        WriteEnvelopeId(envelope, id);
        envelope.WriteBoolean("ok"u8, false);
        envelope.WriteString("error"u8, message);
        envelope.WriteString("code"u8, code);
        envelope.WriteEndObject();
        return QueueJson(envelope);
    }

    /// <summary>Call under the lock. A plain-text session gets the name, a space and the payload.</summary>
    private bool QueueEvent(string name, string? text, ReadOnlySpan<byte> data)
    {
        if (_protocol)
        {
            var json = StartJson();
            CallProtocol.WriteEvent(json, name, text, data);
            return QueueJson(json);
        }

        return _sender.TryQueueText(name + " " + (text ?? Encoding.UTF8.GetString(data)));
    }

    private Utf8JsonWriter StartJson()
    {
        var buffer = _jsonBuffer ??= new ArrayBufferWriter<byte>(256);
        var writer = _jsonWriter ??= new Utf8JsonWriter(buffer, CallProtocol.WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset();
        return writer;
    }

    private bool QueueJson(Utf8JsonWriter json)
    {
        json.Flush();
        return _sender.TryQueue(Opcode.Text, _jsonBuffer!.WrittenSpan);
    }

    /// <summary>An envelope without an id (an empty one) gets replies without one.</summary>
    private static void WriteEnvelopeId(Utf8JsonWriter json, string id)
    {
        if (id.Length > 0)
        {
            // The id as the client sent it (a JSON string or number), which the parser took from valid JSON.
            json.WritePropertyName("id"u8);
            json.WriteRawValue(id, skipInputValidation: true);
        }
    }
}
