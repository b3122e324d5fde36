namespace MarketPush.Protocol.Messages;

/// <summary>The <c>code</c> values of <c>error</c> messages (PROTOCOL.md). Clients switch on these strings.</summary>
public static class ErrorCodes
{
    public const string BadRequest = "bad_request";
    public const string UnknownOp = "unknown_op";
    public const string RateLimited = "rate_limited";
    public const string InternalError = "internal_error";
}
