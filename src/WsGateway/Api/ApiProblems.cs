using System.Globalization;

namespace WsGateway.Api;

/// <summary>Every problem the HTTP API answers with, by its stable name (docs/api.md).</summary>
internal static class ApiProblems
{
    public static ApiProblem MalformedJson(string detail) =>
        new(400, "malformed-json", "The body is not valid JSON", detail);

    public static ApiProblem UnknownField(string field) =>
        new(400, "unknown-field", "The request has a field the API does not know", $"\"{field}\" is not a field of this request.", field);

    public static ApiProblem InvalidField(string field, string detail) =>
        new(400, "invalid-field", "A field has a wrong type or value", detail, field);

    public static ApiProblem MissingField(string field, string detail) =>
        new(400, "missing-field", "A required field is missing", detail, field);

    public static ApiProblem InvalidGroup(string field, string group) =>
        new(400, "invalid-group", "Not a group name",
            $"\"{group}\" is not a group name: 1-64 characters, letters, digits, '-', '_', '.', ':' and '#'.", field);

    public static ApiProblem InvalidLength() =>
        new(400, "invalid-length", "Bad Content-Length", "Content-Length must be one decimal number.");

    public static ApiProblem MissingKey() =>
        new(401, "missing-key", "An API key is required", "Send Authorization: Bearer KEY with a key of Authentication:ApiKeys.",
            Headers: [new("WWW-Authenticate", "Bearer")]);

    public static ApiProblem WrongKey() =>
        new(401, "wrong-key", "The API key is not known", "The bearer token is not one of Authentication:ApiKeys.",
            Headers: [new("WWW-Authenticate", "Bearer error=\"invalid_token\"")]);

    public static ApiProblem Forbidden(string role) =>
        new(403, "forbidden", "The API key lacks the role", $"This call needs an API key with the role \"{role}\" or \"admin\".");

    public static ApiProblem NotFound(string path) =>
        new(404, "not-found", "No such API endpoint", $"Nothing at {path}; GET /api/v1/openapi.json lists the endpoints.");

    public static ApiProblem UnknownSession(string id) =>
        new(404, "unknown-session", "No such session", $"No session \"{id}\" is open on this node.", "id");

    public static ApiProblem UnknownUser(string name) =>
        new(404, "unknown-user", "No such user", $"No session of user \"{name}\" is open on this node.", "name");

    public static ApiProblem MethodNotAllowed(string method, string allow) =>
        new(405, "method-not-allowed", "Method not allowed", $"{method} is not served here; use {allow}.",
            Headers: [new("Allow", allow)]);

    public static ApiProblem LengthRequired() =>
        new(411, "length-required", "A Content-Length is required", "Send the body with a Content-Length; Transfer-Encoding (chunked) is not accepted.");

    public static ApiProblem TooLarge(long length, int max) =>
        new(413, "body-too-large", "The body is too large",
            string.Create(CultureInfo.InvariantCulture, $"The body is {length} bytes; at most {max} are accepted (Api:MaxBodyBytes)."));

    public static ApiProblem UnsupportedMediaType(string? contentType) =>
        new(415, "unsupported-media-type", "The body must be JSON",
            $"Content-Type must be application/json (was {(contentType is null ? "missing" : $"\"{contentType}\"")}).");

    public static ApiProblem RateLimited(double perSecond, int burst, int retryAfterSeconds) =>
        new(429, "rate-limited", "Too many requests",
            string.Create(CultureInfo.InvariantCulture, $"This API key may make {perSecond:0.###} requests per second (bursts of {burst}); retry after {retryAfterSeconds} s."),
            Headers: [new("Retry-After", retryAfterSeconds.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>A question the cluster could not answer whole: nothing was found where it could look.</summary>
    public static ApiProblem ClusterUnreachable(string why) =>
        new(503, "cluster-unavailable", "Not every gateway could be asked",
            $"No such session on the gateways that answered; others could not be asked ({why}). Retry later.",
            Headers: [new("Retry-After", "5")]);

    public static ApiProblem ClusterUnavailable(string why) =>
        new(503, "cluster-unavailable", "The cluster bus is down",
            $"Nothing was published: the message could not reach the other gateways ({why}). Retry later.",
            Headers: [new("Retry-After", "5")]);
}
