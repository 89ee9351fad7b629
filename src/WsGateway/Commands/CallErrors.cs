namespace WsGateway.Commands;

/// <summary>
/// The error codes of <c>wsgateway.v1</c> (docs/protocol.md): stable, for programs; the message beside each is for
/// people and may change.
/// </summary>
internal static class CallErrors
{
    public const string BadFrame = "bad_frame";
    public const string UnknownType = "unknown_type";
    public const string BadId = "bad_id";
    public const string DuplicateId = "duplicate_id";
    public const string TooDeep = "too_deep";
    public const string UnknownCommand = "unknown_command";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate_limited";
    public const string Timeout = "timeout";
    public const string Failed = "failed";
    public const string Broken = "broken";
    public const string Cancelled = "cancelled";

    /// <summary><c>history</c>: the group keeps no history (<c>History:Groups</c>).</summary>
    public const string NoHistory = "no_history";

    /// <summary><c>history</c>: a position this history never gave (an offset past its last one).</summary>
    public const string BadPosition = "bad_position";

    /// <summary>What the call needs cannot be reached now (a group's history kept in Redis while Redis is down); try again.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>A call whose arguments or data are not what the command takes.</summary>
    public const string BadArguments = "bad_arguments";
    public const string AuthRequired = "auth_required";
    public const string AuthRefused = "auth_refused";
    public const string AuthForbidden = "auth_forbidden";
}
