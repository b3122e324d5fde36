using System.Globalization;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Server.Admin;

/// <summary>
/// The operator's HTTP API on the server's own listener, under <c>/admin/</c>, JSON in and out:
/// <list type="bullet">
/// <item><c>GET /admin/sessions[?limit=N]</c>: open sessions, oldest first (default limit 1000; <c>total</c> counts them all).</item>
/// <item><c>GET /admin/sessions/{id}</c>: one session with every subscription, or 404.</item>
/// <item><c>DELETE /admin/sessions/{id}</c>: closes the session with 1008 "disconnected by operator"; 202, 404 if unknown,
/// 409 if it is already closing for another reason.</item>
/// <item><c>GET /admin/symbols/top[?limit=N]</c>: symbols by subscribing sessions, most first (default 20).</item>
/// </list>
/// Every path needs <c>Authorization: Bearer &lt;admin token&gt;</c> (<see cref="AdminTokenFilter"/>; 401 otherwise, even for
/// unknown paths, so an unauthenticated caller learns nothing of the API). Without a configured token the API is off
/// and every <c>/admin/</c> path answers 404. Handlers run on request threads and read the session registry's
/// snapshot; the only thing they change is a session's close, through the same thread-safe <see cref="Session.Close(DisconnectReason, bool)"/>
/// the slow-consumer and heartbeat paths use.
/// </summary>
internal static class AdminApi
{
    public const string PathPrefix = "/admin";

    public const int DefaultSessionLimit = 1000;

    public const int DefaultSymbolLimit = 20;

    /// <summary>
    /// The operator's forced close. 1008 (policy violation), not 1000: 1000 tells a client the session ended normally,
    /// as both sides meant, and a client library treats that as "done" and reports nothing; this close was imposed by
    /// the server's side, which is what PROTOCOL.md's 1008 ("policy": entitlement, origin, too many bad commands) means,
    /// and the reason text says who. Not 1001 either: that is "server going away", on which clients reconnect at once,
    /// which would undo the operator's action.
    /// </summary>
    public static readonly DisconnectReason OperatorDisconnect = DisconnectReasons.Operator;

    /// <summary>True when <paramref name="options"/> configure an admin token (the startup log names the API, or says it is off).</summary>
    public static bool IsEnabled(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return !string.IsNullOrEmpty(options.AdminToken);
    }

    /// <summary>Maps the API (or, with no admin token, a 404 for every <c>/admin/</c> path).</summary>
    public static void Map(WebApplication app, ServerOptions options, StreamServer server)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(server);
        if (!IsEnabled(options))
        {
            // Explicit rather than unmapped, so a fallback route added later can never answer for /admin/.
            app.Map(PathPrefix + "/{**rest}", static () => NotFound("not_found", "Not found."));
            return;
        }

        RouteGroupBuilder admin = app.MapGroup(PathPrefix);
        admin.AddEndpointFilter(new AdminTokenFilter(options.AdminToken!));
        SessionRegistry sessions = server.Sessions;
        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MarketPush.Admin");
        admin.MapGet("/sessions", (HttpContext context) => ListSessions(context, sessions));
        admin.MapGet("/sessions/{id}", (string id) => GetSession(id, sessions));
        admin.MapDelete("/sessions/{id}", (HttpContext context, string id) => Disconnect(context, id, sessions, logger));
        admin.MapGet("/symbols/top", (HttpContext context) => TopSymbols(context, sessions));
        // Behind the token filter too: wrong paths and methods get 401 before they get this 404.
        admin.Map("/{**rest}", static () => NotFound("not_found", "No such admin endpoint."));
    }

    private static IResult ListSessions(HttpContext context, SessionRegistry registry)
    {
        if (!TryReadLimit(context, DefaultSessionLimit, out int limit, out IResult? badLimit))
        {
            return badLimit;
        }

        // A copy: the registry's snapshot array is shared with every broadcast and must not be reordered.
        Session[] open = [.. registry.Snapshot().Cast<Session>()]; // every session of this server is the session layer's
        Array.Sort(open, static (a, b) =>
        {
            int byAge = a.ConnectedAtUtc.CompareTo(b.ConnectedAtUtc);
            return byAge != 0 ? byAge : string.CompareOrdinal(a.Id, b.Id);
        });

        DateTime now = DateTime.UtcNow;
        int count = Math.Min(limit, open.Length);
        var listed = new SessionInfo[count];
        for (int i = 0; i < count; i++)
        {
            listed[i] = AdminViews.Describe(open[i], now, AdminViews.ListedSymbolsPerSession);
        }

        return TypedResults.Json(
            new SessionListResponse { Total = open.Length, Count = count, Sessions = listed },
            AdminJsonContext.Default.SessionListResponse);
    }

    private static IResult GetSession(string id, SessionRegistry registry) =>
        registry.TryGet(id, out IStreamSession found) && found is Session session
            ? TypedResults.Json(AdminViews.Describe(session, DateTime.UtcNow, int.MaxValue), AdminJsonContext.Default.SessionInfo)
            : UnknownSession(id);

    private static IResult Disconnect(HttpContext context, string id, SessionRegistry registry, ILogger logger)
    {
        if (!registry.TryGet(id, out IStreamSession found) || found is not Session session)
        {
            return UnknownSession(id);
        }

        // Session.Close is the server-initiated close every other path uses: the first reason wins (so this is safe
        // against the session's own loops and a concurrent slow-consumer or heartbeat close), the close frame goes
        // ahead of queued data, and the keepalive timer aborts the connection if the client never answers it.
        // A repeated DELETE while our close is in progress is accepted again: the operator's intent already stands.
        bool closed = session.Close(OperatorDisconnect);
        if (!closed && !ReferenceEquals(session.CloseReason, OperatorDisconnect))
        {
            return TypedResults.Json(
                new AdminError { Error = "closing", Message = $"Session {id} is already closing ({session.CloseReason})." },
                AdminJsonContext.Default.AdminError,
                statusCode: StatusCodes.Status409Conflict);
        }

        if (closed)
        {
            // An operator action that cuts a client off: always worth a line, naming who asked from where.
            logger.LogInformation(
                "Session {Session} ({Remote}) disconnected by operator request from {Caller}",
                session.Id,
                AdminViews.FormatEndPoint(session.RemoteEndPoint) ?? "unknown address",
                context.Connection.RemoteIpAddress);
        }

        return TypedResults.Json(
            new DisconnectResponse { Id = session.Id, CloseCode = OperatorDisconnect.Code, Reason = OperatorDisconnect.Description },
            AdminJsonContext.Default.DisconnectResponse,
            statusCode: StatusCodes.Status202Accepted);
    }

    private static IResult TopSymbols(HttpContext context, SessionRegistry registry)
    {
        if (!TryReadLimit(context, DefaultSymbolLimit, out int limit, out IResult? badLimit))
        {
            return badLimit;
        }

        return TypedResults.Json(AdminViews.TopSymbols([.. registry.Snapshot().Cast<Session>()], limit), AdminJsonContext.Default.TopSymbolsResponse);
    }

    /// <summary>Reads <c>?limit=N</c> (a whole number, at least 1); absent: <paramref name="defaultLimit"/>.</summary>
    private static bool TryReadLimit(HttpContext context, int defaultLimit, out int limit, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out IResult? error)
    {
        // Read here rather than bound as a handler parameter: binding fails before the token filter runs, and an
        // unauthenticated caller must get 401, not a 400 that confirms the endpoint exists.
        Microsoft.Extensions.Primitives.StringValues values = context.Request.Query["limit"];
        error = null;
        if (values.Count == 0)
        {
            limit = defaultLimit;
            return true;
        }

        if (values.Count == 1 && int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit >= 1)
        {
            return true;
        }

        limit = 0;
        error = TypedResults.Json(
            new AdminError { Error = "bad_request", Message = "limit must be a whole number, 1 or more." },
            AdminJsonContext.Default.AdminError,
            statusCode: StatusCodes.Status400BadRequest);
        return false;
    }

    private static IResult UnknownSession(string id) => NotFound("unknown_session", $"No open session {id}.");

    private static IResult NotFound(string error, string message) =>
        TypedResults.Json(new AdminError { Error = error, Message = message }, AdminJsonContext.Default.AdminError, statusCode: StatusCodes.Status404NotFound);
}
