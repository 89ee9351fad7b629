namespace WsGateway.Connections;

/// <summary>What <see cref="ConnectionLiveness.Check"/> asks the connection to do.</summary>
internal enum LivenessAction
{
    None,

    /// <summary>Quiet for <c>Limits:KeepAliveSeconds</c>: send a ping.</summary>
    Ping,

    /// <summary>The ping went unanswered for <c>Limits:KeepAliveTimeoutSeconds</c>: the peer vanished; drop TCP.</summary>
    Drop,

    /// <summary>No message for <c>Limits:IdleTimeoutSeconds</c>: close with 1001.</summary>
    CloseIdle,

    /// <summary>The caller's credential expired and <c>Authentication:OnExpiry</c> is <c>Close</c>: close with 1008.</summary>
    CloseExpired,

    /// <summary>Our close frame went unanswered for <c>Limits:CloseTimeoutSeconds</c>: drop TCP.</summary>
    DropUnansweredClose,
}
