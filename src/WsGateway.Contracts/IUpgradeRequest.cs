using System.Net;

namespace WsGateway.Contracts;

/// <summary>What an <see cref="IAuthenticator"/> sees of a WebSocket upgrade request, before the 101 response.</summary>
public interface IUpgradeRequest
{
    /// <summary>The method as sent: <c>GET</c>.</summary>
    string Method { get; }

    /// <summary>The path without the query: <c>/</c>.</summary>
    string Path { get; }

    /// <summary>The query's parameters, percent-decoded; a repeated name keeps its first value.</summary>
    IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>The request's cookies (from every <c>Cookie</c> line); a repeated name keeps its first value.</summary>
    IReadOnlyDictionary<string, string> Cookies { get; }

    /// <summary>Header fields in received order.</summary>
    IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The client's address and port.</summary>
    IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The value of header <paramref name="name"/> (case-insensitive; repeated lines joined by ", "), or null.</summary>
    string? GetHeader(string name);
}
