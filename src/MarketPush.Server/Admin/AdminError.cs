namespace MarketPush.Server.Admin;

/// <summary>
/// The body of every admin API refusal (401, 404, 400, 409): a stable snake_case <see cref="Error"/> for scripts and
/// a sentence for the operator reading it. Built on the request thread, serialized by <see cref="AdminJsonContext"/>.
/// </summary>
internal sealed class AdminError
{
    public required string Error { get; init; }

    public required string Message { get; init; }
}
