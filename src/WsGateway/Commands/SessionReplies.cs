using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using WsGateway.Protocol;
using WsGateway.Sending;
using WsGateway.Transport;

namespace WsGateway.Commands;

/// <summary>
/// The replies of one command session: plain text, or JSON envelopes when the request came in one. Replies come from
/// the session's worker, but also from a command still running after its timeout or from several tasks of one
/// command, so they are written under one lock: the envelope writer is shared, a frame is copied into the connection's
/// output whole, and an error is the last reply of its call. The lock never covers I/O: the send happens after it.
/// A reply whose send has to wait for the peer resumes its command on the thread pool, not on the socket engine's
/// thread where the send completes (<see cref="SocketThread"/>).
/// </summary>
internal sealed class SessionReplies
{
    // Relaxed escaping: quotes come out as \" rather than \u0022; the text travels as JSON over WebSocket, never
    // inside HTML, where the strict default escaping matters.
    private static readonly JsonWriterOptions EnvelopeOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FrameSender _sender;
    private readonly Lock _gate = new();

    // Made for the first envelope, under the lock (about 450 bytes): sessions that speak plain text never need them.
    private ArrayBufferWriter<byte>? _envelopeBuffer;
    private Utf8JsonWriter? _envelopeWriter;

    public SessionReplies(FrameSender sender) => _sender = sender;

    /// <summary>
    /// A command's reply: plain text, or an envelope when the request came in one; dropped after the call ended.
    /// Paced by the client past <see cref="Transport.TransportConnection.WaitThreshold"/> unsent bytes (see
    /// <see cref="FrameSender.FlushAsync"/>); fails with <see cref="OperationCanceledException"/> once the connection is gone.
    /// </summary>
    public ValueTask ReplyAsync(CommandContext context, string text)
    {
        bool dropped, queued = false;
        lock (_gate)
        {
            dropped = context.Completed;
            if (!dropped)
            {
                queued = Queue(context.EnvelopeId, ok: true, text);
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
            context.Logger.Warning("Reply from {Command} after it ended (timed out?) was dropped", context.CommandName);
        }

        return queued ? SocketThread.LeaveAfter(_sender.FlushAsync()) : ValueTask.CompletedTask;
    }

    /// <summary>An error in answer to a request; with <paramref name="context"/>, its call's last reply.</summary>
    public ValueTask ReplyErrorAsync(string? envelopeId, string error, CommandContext? context = null)
    {
        bool queued;
        lock (_gate)
        {
            if (context is not null)
            {
                context.Completed = true;
            }

            queued = Queue(envelopeId, ok: false, error);
        }

        return queued ? SocketThread.LeaveAfter(_sender.FlushAsync()) : ValueTask.CompletedTask;
    }

    /// <summary>Call under the lock: the frame is copied into the connection's output before it returns.</summary>
    private bool Queue(string? envelopeId, bool ok, string text)
    {
        if (envelopeId is null)
        {
            return _sender.TryQueueText(ok ? text : "error: " + text);
        }

        var buffer = _envelopeBuffer ??= new ArrayBufferWriter<byte>(256);
        var writer = _envelopeWriter ??= new Utf8JsonWriter(buffer, EnvelopeOptions);
        buffer.ResetWrittenCount();
        writer.Reset();
        writer.WriteStartObject();
        if (envelopeId.Length > 0)
        {
            // The id as the client sent it (a JSON string or number), which the parser took from valid JSON.
            writer.WritePropertyName("id"u8);
            writer.WriteRawValue(envelopeId, skipInputValidation: true);
        }

        writer.WriteBoolean("ok"u8, ok);
        writer.WriteString(ok ? "text"u8 : "error"u8, text);
        writer.WriteEndObject();
        writer.Flush();
        return _sender.TryQueue(Opcode.Text, buffer.WrittenSpan);
    }

    /// <summary>Ends the call: whatever the command still sends is dropped.</summary>
    public void Complete(CommandContext context)
    {
        lock (_gate)
        {
            context.Completed = true;
        }
    }
}
