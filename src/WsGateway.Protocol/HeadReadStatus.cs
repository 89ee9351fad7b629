namespace WsGateway.Protocol;

/// <summary>Result of <see cref="RequestHeadReader.TryFindHead"/>.</summary>
public enum HeadReadStatus
{
    /// <summary>The blank line that ends the head was found.</summary>
    Complete,

    /// <summary>No blank line yet and still under the limit.</summary>
    NeedMoreData,

    /// <summary>No blank line within the limit: answer 431 or 400 and close.</summary>
    TooLarge,
}
