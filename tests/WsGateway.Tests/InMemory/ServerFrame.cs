using System.Buffers.Binary;
using System.Text;
using WsGateway.Protocol;

namespace WsGateway.Tests.InMemory;

/// <summary>One frame the server sent, as the client read it.</summary>
internal sealed record ServerFrame(Opcode Opcode, bool Fin, bool Rsv1, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>The code of a close frame; 1005 when it carried none.</summary>
    public int CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : CloseStatus.NoStatusReceived;

    public string CloseReason => Payload.Length > 2 ? Encoding.UTF8.GetString(Payload.AsSpan(2)) : "";

    /// <summary>Short and readable in assertion messages: <c>Text "hello"</c>, <c>Close 1000 "bye"</c>.</summary>
    public override string ToString() => Opcode switch
    {
        Opcode.Close => $"Close {CloseCode} \"{CloseReason}\"",
        Opcode.Text => $"Text \"{(Text.Length > 60 ? Text[..60] + "..." : Text)}\"",
        _ => $"{Opcode} ({Payload.Length} bytes)",
    };
}
