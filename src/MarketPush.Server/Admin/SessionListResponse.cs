namespace MarketPush.Server.Admin;

/// <summary>The body of <c>GET /admin/sessions</c>: the oldest <see cref="Count"/> of <see cref="Total"/> open sessions.</summary>
internal sealed class SessionListResponse
{
    /// <summary>Sessions open when the listing was taken.</summary>
    public required int Total { get; init; }

    /// <summary>Sessions in <see cref="Sessions"/> (at most the limit).</summary>
    public required int Count { get; init; }

    public required SessionInfo[] Sessions { get; init; }
}
