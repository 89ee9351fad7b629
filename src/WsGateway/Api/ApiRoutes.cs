using System.Buffers;
using System.Net;
using System.Reflection;
using System.Text.Json;
using Serilog;
using WsGateway.Authentication;
using WsGateway.Broadcasting;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.Http;
using WsGateway.Options;
using WsGateway.Protocol;

namespace WsGateway.Api;

/// <summary>
/// The HTTP API for backends under <c>/api/v1/</c> (docs/api.md, <c>GET /api/v1/openapi.json</c>): publish, sessions,
/// presence, disconnect, nodes, and for the console's admin view commands, reloads and refusals. Checks in this order: endpoint and method (404, 405), key and role (401, 403), rate
/// (429), body framing and type (411, 413, 415), then the body itself (400); nothing happens before all have passed.
/// </summary>
internal sealed class ApiRoutes
{
    public const string Prefix = "/api/v1/";
    private const string JsonType = "application/json";

    private static readonly Lazy<byte[]> OpenApiDocument = new(LoadOpenApi);

    private readonly LiveOptions _options;
    private readonly CommandRoute _route;
    private readonly SessionDirectory _sessions;
    private readonly ILogger _log;
    private readonly ApiRateLimit _rateLimit = new();

    // The keys of the options in force, loaded again when a reload brings other ones.
    private LoadedKeys _keys = new([], null);

    private readonly Func<JwtAuthenticator?> _jwt;

    /// <param name="jwt">The <c>jwt</c> method in force, if any: the API takes its tokens too, with their roles.</param>
    public ApiRoutes(LiveOptions options, CommandRoute route, SessionDirectory sessions, Func<JwtAuthenticator?> jwt, ILogger log)
    {
        _options = options;
        _route = route;
        _sessions = sessions;
        _jwt = jwt;
        _log = log;
    }

    private enum Endpoint
    {
        Publish,
        Sessions,
        DisconnectSession,
        DisconnectUser,
        Presence,
        Nodes,
        Commands,
        Reloads,
        Refusals,
        OpenApi,
    }

    public async ValueTask<HttpResponse> RouteAsync(HttpRequestHead request, HttpRequestBody body, IPEndPoint? remote)
    {
        if (!TryMatch(request.Path, out var endpoint, out string? argument))
        {
            return ApiProblems.NotFound(request.Path).ToResponse();
        }

        bool post = endpoint is Endpoint.Publish or Endpoint.DisconnectSession or Endpoint.DisconnectUser;
        if (post ? request.Method != "POST" : request.Method is not ("GET" or "HEAD"))
        {
            return ApiProblems.MethodNotAllowed(request.Method, post ? "POST" : "GET, HEAD").ToResponse();
        }

        if (endpoint == Endpoint.OpenApi)
        {
            return new HttpResponse(200, JsonType, OpenApiDocument.Value);
        }

        var options = _options.Current;
        var role = endpoint == Endpoint.Publish ? ApiAccess.PublisherRole : ApiAccess.AdminRole;
        var authorization = request.GetHeader("Authorization");
        var (token, tokenWasJwt) = await JwtCallerAsync(request, authorization, remote);
        if (ApiAccess.Check(authorization, Keys(options.Authentication), role, out var caller, token, tokenWasJwt) is { } refused)
        {
            _log.Information("API {Method} {Path} from {RemoteAddress} refused: {Problem}", request.Method, request.Path, remote, refused.Name);
            return refused.ToResponse();
        }

        if (!_rateLimit.TryTake(caller!.Name, options.Api.RequestsPerSecond, options.Api.Burst))
        {
            return ApiProblems.RateLimited(options.Api.RequestsPerSecond, options.Api.Burst, ApiRateLimit.RetryAfterSeconds(options.Api.RequestsPerSecond)).ToResponse();
        }

        if (BodyProblem(request, body, options.Api, post) is { } bodyProblem)
        {
            return bodyProblem.ToResponse();
        }

        var response = endpoint switch
        {
            Endpoint.Publish => await PublishAsync(body.Bytes, caller.Name),
            Endpoint.Sessions => await SessionsAsync(request.Query),
            Endpoint.Presence => await PresenceAsync(argument!),
            Endpoint.DisconnectSession => await DisconnectAsync(argument!, body.Bytes, user: false, caller.Name),
            Endpoint.DisconnectUser => await DisconnectAsync(argument!, body.Bytes, user: true, caller.Name),
            Endpoint.Commands or Endpoint.Reloads or Endpoint.Refusals => await ActivityAsync(endpoint),
            _ => Nodes(),
        };
        return response;
    }

    private static bool TryMatch(string path, out Endpoint endpoint, out string? argument)
    {
        endpoint = default;
        argument = null;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var segments = path[Prefix.Length..].Split('/');
        switch (segments)
        {
            case ["publish"]:
                endpoint = Endpoint.Publish;
                return true;
            case ["sessions"]:
                endpoint = Endpoint.Sessions;
                return true;
            case ["nodes"]:
                endpoint = Endpoint.Nodes;
                return true;
            case ["commands"]:
                endpoint = Endpoint.Commands;
                return true;
            case ["reloads"]:
                endpoint = Endpoint.Reloads;
                return true;
            case ["refusals"]:
                endpoint = Endpoint.Refusals;
                return true;
            case ["openapi.json"]:
                endpoint = Endpoint.OpenApi;
                return true;
            case ["sessions", { Length: > 0 } id, "disconnect"]:
                endpoint = Endpoint.DisconnectSession;
                argument = Uri.UnescapeDataString(id);
                return true;
            case ["users", { Length: > 0 } name, "disconnect"]:
                endpoint = Endpoint.DisconnectUser;
                argument = Uri.UnescapeDataString(name);
                return true;
            case ["groups", { Length: > 0 } group, "presence"]:
                endpoint = Endpoint.Presence;
                argument = Uri.UnescapeDataString(group);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The caller of a bearer JWT, when the <c>jwt</c> method is in force: the same validation (issuer, audience, keys,
    /// expiry) and roles as a WebSocket upgrade. Anything else is left to the API keys.
    /// </summary>
    private async ValueTask<(CallerIdentity? Caller, bool WasJwt)> JwtCallerAsync(HttpRequestHead request, string? authorization, IPEndPoint? remote)
    {
        if (BearerToken.FromAuthorization(authorization) is not { } credential || !BearerCredential.LooksLikeJwt(credential) || _jwt() is not { } jwt)
        {
            return (null, false);
        }

        var result = await jwt.AuthenticateAsync(new UpgradeRequest(request, remote), CancellationToken.None);
        if (result.Outcome != AuthenticationOutcome.Accepted)
        {
            _log.Information("API {Method} {Path} from {RemoteAddress}: token refused ({Reason})", request.Method, request.Path, remote, result.Reason);
        }

        return (result.Identity, true);
    }

    private ApiKeyAuthenticator? Keys(AuthenticationOptions authentication)
    {
        var current = Volatile.Read(ref _keys);
        if (ReferenceEquals(current.From, authentication.ApiKeys))
        {
            return current.Keys;
        }

        // Validated at startup and on reload, so a key that does not load here has no problems worth logging twice.
        var keys = authentication.ApiKeys.Length == 0 ? null : ApiKeyAuthenticator.Create(authentication.ApiKeys, []);
        Volatile.Write(ref _keys, new LoadedKeys(authentication.ApiKeys, keys));
        return keys;
    }

    private static ApiProblem? BodyProblem(HttpRequestHead request, HttpRequestBody body, ApiOptions api, bool post)
    {
        switch (body.Framing)
        {
            case BodyFraming.TransferEncoding:
                return ApiProblems.LengthRequired();
            case BodyFraming.TooLarge:
                return ApiProblems.TooLarge(body.Length, api.MaxBodyBytes);
            case BodyFraming.InvalidLength:
                return ApiProblems.InvalidLength();
            case BodyFraming.ContentLength when post && !IsJson(request.GetHeader("Content-Type")):
                return ApiProblems.UnsupportedMediaType(request.GetHeader("Content-Type"));
            default:
                return null;
        }
    }

    /// <summary><c>application/json</c>, any case, with parameters (<c>; charset=utf-8</c>) allowed.</summary>
    private static bool IsJson(string? contentType) =>
        contentType is not null
        && contentType.AsSpan(0, contentType.IndexOf(';') is >= 0 and var semicolon ? semicolon : contentType.Length)
            .Trim(" \t").Equals(JsonType, StringComparison.OrdinalIgnoreCase);

    private async ValueTask<HttpResponse> PublishAsync(ReadOnlyMemory<byte> body, string caller)
    {
        if (PublishRequestParser.TryParse(body.Span, out var publish) is { } problem)
        {
            return problem.ToResponse();
        }

        var to = publish!.To;
        var bus = _route.Bus;
        bool heldHere = to.Kind == AudienceKind.Session && _route.LocalSession(to.Name!) is not null;
        if (bus.Degraded is { } why && !heldHere)
        {
            // Local delivery alone would lose the other nodes' recipients without saying so: refuse it all instead.
            _log.Warning("API publish to {Audience} by {Caller} refused: the cluster bus is down ({Why})", to, caller, why);
            return ApiProblems.ClusterUnavailable(why).ToResponse();
        }

        int delivered;
        try
        {
            // untilKept: the answer to a publish to a group that keeps a history says that it was kept.
            delivered = await _route.PublishAsync(new BusMessage(to, publish.Text, bus.NodeId, Data: publish.Data, Event: publish.Event), CancellationToken.None, untilKept: true);
        }
        catch (HistoryUnavailableException unavailable)
        {
            _log.Warning("API publish to {Audience} by {Caller} failed: {Why}", to, caller, unavailable.Message);
            return ApiProblems.ClusterUnavailable(unavailable.Message).ToResponse();
        }

        _log.Debug("API publish to {Audience} by {Caller}: {Delivered} sessions on this node", to, caller, delivered);
        bool cluster = bus is not LocalMessageBus && !heldHere;
        return Json(200, json =>
        {
            json.WriteStartObject("delivered"u8);
            json.WriteNumber("thisNode"u8, delivered);
            json.WriteEndObject();
            json.WriteBoolean("cluster"u8, cluster);
        });
    }

    private async ValueTask<HttpResponse> SessionsAsync(string query)
    {
        string? user = null, group = null;
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
            switch (name)
            {
                case "user" when user is null:
                    user = value;
                    break;
                case "group" when group is null:
                    group = value;
                    break;
                case "user" or "group":
                    return ApiProblems.InvalidField(name, $"\"{name}\" is given twice.").ToResponse();
                default:
                    return ApiProblems.UnknownField(name).ToResponse();
            }
        }

        if (group is not null && !Contracts.GroupNames.IsValid(group))
        {
            return ApiProblems.InvalidGroup("group", group).ToResponse();
        }

        var list = await _sessions.ListAsync(user is { Length: > 0 } ? user : null, group, CancellationToken.None);
        return Json(200, json =>
        {
            WriteCompleteness(json, list.Answer);
            json.WriteStartArray("sessions"u8);
            foreach (var session in list.Sessions)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, session.Id);
                json.WriteString("user"u8, session.User);
                json.WriteBoolean("authenticated"u8, session.Authenticated);
                json.WriteString("remote"u8, session.Remote);
                json.WriteString("connectedAt"u8, session.ConnectedAt);
                json.WriteString("path"u8, session.Path);
                json.WriteStartArray("groups"u8);
                foreach (var name in session.Groups)
                {
                    json.WriteStringValue(name);
                }

                json.WriteEndArray();
                json.WriteString("node"u8, session.Node);
                json.WriteStartArray("roles"u8);
                foreach (var role in session.Roles)
                {
                    json.WriteStringValue(role);
                }

                json.WriteEndArray();
                json.WriteNumber("messagesIn"u8, session.Traffic.MessagesIn);
                json.WriteNumber("bytesIn"u8, session.Traffic.BytesIn);
                json.WriteNumber("messagesOut"u8, session.Traffic.MessagesOut);
                json.WriteNumber("bytesOut"u8, session.Traffic.BytesOut);
                if (session.Running is { } running)
                {
                    json.WriteStartObject("running"u8);
                    json.WriteString("command"u8, running.Command);
                    json.WriteString("since"u8, running.Since);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("running"u8);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    private static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));

    private async ValueTask<HttpResponse> PresenceAsync(string group)
    {
        if (!Contracts.GroupNames.IsValid(group))
        {
            return ApiProblems.InvalidGroup("group", group).ToResponse();
        }

        var list = await _sessions.ListAsync(null, group, CancellationToken.None);
        return Json(200, json =>
        {
            json.WriteString("group"u8, group);
            WriteCompleteness(json, list.Answer);
            json.WriteNumber("count"u8, list.Sessions.Count);
            json.WriteStartArray("members"u8);
            foreach (var member in list.Sessions)
            {
                json.WriteStartObject();
                json.WriteString("session"u8, member.Id);
                json.WriteString("user"u8, member.User);
                json.WriteString("node"u8, member.Node);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    private async ValueTask<HttpResponse> DisconnectAsync(string target, ReadOnlyMemory<byte> body, bool user, string caller)
    {
        if (DisconnectRequestParser.TryParse(body.Span, out string reason) is { } problem)
        {
            return problem.ToResponse();
        }

        var result = await _sessions.DisconnectAsync(user ? null : target, user ? target : null, reason, CancellationToken.None);
        int closed = result.Disconnected;
        if (closed == 0)
        {
            // Not found anywhere that answered: when a node did not, the target may be there, and the caller must know.
            if (result.Answer.Problem is { } unreachable)
            {
                return ApiProblems.ClusterUnreachable(unreachable).ToResponse();
            }

            if (result.Answer.Missing.Count > 0)
            {
                return ApiProblems.ClusterUnreachable($"nodes that did not answer: {string.Join(", ", result.Answer.Missing)}").ToResponse();
            }

            return (user ? ApiProblems.UnknownUser(target) : ApiProblems.UnknownSession(target)).ToResponse();
        }

        _log.Information("API disconnect of {Kind} {Target} by {Caller}: {Count} sessions closed ({Reason})",
            user ? "user" : "session", target, caller, closed, reason);
        return Json(200, json =>
        {
            WriteCompleteness(json, result.Answer);
            json.WriteNumber("disconnected"u8, closed);
        });
    }

    /// <summary>
    /// <c>"complete"</c>: every node that could hold a matching session answered; <c>"missingNodes"</c>: those that did
    /// not (all the others while the cluster bus is down).
    /// </summary>
    private static void WriteCompleteness(Utf8JsonWriter json, ClusterAnswer answer)
    {
        json.WriteBoolean("complete"u8, answer.Complete);
        json.WriteStartArray("missingNodes"u8);
        foreach (var node in answer.Missing)
        {
            json.WriteStringValue(node);
        }

        json.WriteEndArray();
    }

    private HttpResponse Nodes()
    {
        var bus = _route.Bus;
        var nodes = bus.Nodes();
        return Json(200, json =>
        {
            json.WriteString("degraded"u8, bus.Degraded);
            json.WriteString("bus"u8, bus is LocalMessageBus ? "none" : "redis");
            json.WriteStartArray("nodes"u8);
            foreach (var node in nodes)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, node.Id);
                json.WriteNumber("sessions"u8, node.Sessions);
                json.WriteString("lastSeen"u8, node.LastSeen);
                json.WriteBoolean("local"u8, node.IsLocal);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    /// <summary>
    /// Commands, reloads or refusals of every node (<see cref="ClusterActivity"/>): each is asked for its own over the
    /// bus, like the sessions, and the rows name their node.
    /// </summary>
    private async ValueTask<HttpResponse> ActivityAsync(Endpoint endpoint)
    {
        var answer = await _route.AskClusterAsync(new ClusterQuery(ClusterQueryKind.Activity), _route.ClusterQueryTimeout, CancellationToken.None);
        using var activity = ClusterActivity.Read(answer.Answers, _log);
        return Json(200, json =>
        {
            WriteCompleteness(json, answer);
            switch (endpoint)
            {
                case Endpoint.Commands:
                    activity.WriteCommands(json);
                    break;
                case Endpoint.Reloads:
                    activity.WriteReloads(json);
                    break;
                default:
                    activity.WriteRefusals(json);
                    break;
            }
        });
    }

    private static HttpResponse Json(int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return new HttpResponse(status, JsonType, buffer.WrittenMemory.ToArray());
    }

    private sealed record LoadedKeys(ApiKeyOptions[] From, ApiKeyAuthenticator? Keys);

    private static byte[] LoadOpenApi()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("api/openapi.json")
            ?? throw new InvalidOperationException("The embedded OpenAPI document is missing.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
