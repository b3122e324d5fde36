namespace MarketPush.Server.Admin;

/// <summary>
/// The body of a 202 from <c>DELETE /admin/sessions/{id}</c>: the close was queued with this code and reason; the
/// session leaves the listing once the close handshake finishes (or the close timeout aborts it).
/// </summary>
internal sealed class DisconnectResponse
{
    public required string Id { get; init; }

    public required int CloseCode { get; init; }

    public required string Reason { get; init; }
}
