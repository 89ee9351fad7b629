using System.Buffers;
using System.Text.Json;
using WsGateway.Http;

namespace WsGateway.Api;

/// <summary>
/// An error answer of the HTTP API as RFC 9457 problem details. <see cref="Name"/> is the stable part a backend acts on:
/// the <c>type</c> is <c>https://wsgateway.dev/problems/NAME</c> (docs/api.md lists every name).
/// </summary>
/// <param name="Field">For a request the gateway could not accept because of one field: its JSON path (<c>data</c>, <c>group</c>).</param>
internal sealed record ApiProblem(
    int Status,
    string Name,
    string Title,
    string Detail,
    string? Field = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    public const string TypePrefix = "https://wsgateway.dev/problems/";
    public const string ContentType = "application/problem+json";

    public string Type => TypePrefix + Name;

    public HttpResponse ToResponse()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, Type);
            json.WriteString("title"u8, Title);
            json.WriteNumber("status"u8, Status);
            json.WriteString("detail"u8, Detail);
            if (Field is not null)
            {
                json.WriteString("field"u8, Field);
            }

            json.WriteEndObject();
        }

        return new HttpResponse(Status, ContentType, buffer.WrittenMemory.ToArray(), Headers);
    }
}
