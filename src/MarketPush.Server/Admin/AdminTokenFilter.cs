using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace MarketPush.Server.Admin;

/// <summary>
/// Guards every <c>/admin/</c> endpoint: the request must carry <c>Authorization: Bearer &lt;token&gt;</c> with the
/// configured admin token, else 401 with a <c>WWW-Authenticate: Bearer</c> challenge (RFC 6750 §3) and a JSON error.
/// Runs on the request thread before the endpoint; holds only the token's digest.
/// </summary>
/// <remarks>
/// Both tokens are hashed with SHA-256 and the digests compared with <see cref="CryptographicOperations.FixedTimeEquals"/>:
/// comparing the tokens themselves would return early on a length mismatch (FixedTimeEquals does) and so tell an
/// attacker the token's length; equal-size digests take the same time whatever was presented. Every admin response
/// is also marked <c>Cache-Control: no-store</c>: session lists name client addresses.
/// </remarks>
internal sealed class AdminTokenFilter : IEndpointFilter
{
    private const string Challenge = "Bearer realm=\"marketpush-admin\"";
    private const string Scheme = "Bearer ";

    private readonly byte[] _tokenDigest;

    public AdminTokenFilter(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _tokenDigest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    }

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        http.Response.Headers.CacheControl = "no-store";
        StringValues authorization = http.Request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            // No credentials at all: the challenge carries no error code (RFC 6750 §3.1).
            return Refuse(http, Challenge, "This endpoint needs the admin token: Authorization: Bearer <token>.");
        }

        if (authorization.Count > 1
            || authorization[0] is not { } value
            || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || !Matches(value.AsSpan(Scheme.Length).Trim()))
        {
            return Refuse(http, Challenge + ", error=\"invalid_token\"", "The admin token is wrong.");
        }

        return next(context);
    }

    private bool Matches(ReadOnlySpan<char> presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(presented)];
        Encoding.UTF8.GetBytes(presented, bytes);
        SHA256.HashData(bytes, digest);
        return CryptographicOperations.FixedTimeEquals(digest, _tokenDigest);
    }

    private static ValueTask<object?> Refuse(HttpContext http, string challenge, string message)
    {
        http.Response.Headers.WWWAuthenticate = challenge;
        IResult result = TypedResults.Json(
            new AdminError { Error = "unauthorized", Message = message },
            AdminJsonContext.Default.AdminError,
            statusCode: StatusCodes.Status401Unauthorized);
        return ValueTask.FromResult<object?>(result);
    }
}
