namespace WsGateway.Protocol;

/// <summary>Result of <see cref="FrameReader.TryReadHeader"/>.</summary>
public enum FrameReadStatus
{
    /// <summary>A whole header was parsed and consumed.</summary>
    Complete,

    /// <summary>The buffer ends inside the header; nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>The header breaks the protocol; the <see cref="FrameError"/> says how.</summary>
    Error,
}
