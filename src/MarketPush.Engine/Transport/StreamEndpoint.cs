using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using MarketPush.Engine.Metrics;
using MarketPush.Protocol.Handshake;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace MarketPush.Engine.Transport;

/// <summary>
/// <c>GET /v1/stream</c> through Kestrel's HTTP pipeline: validates the RFC 6455 §4.2.1 handshake, picks the encoding
/// (subprotocol) and negotiates permessage-deflate (RFC 7692 §7.1) through <see cref="UpgradeDecision"/>, answers 101
/// and takes over Kestrel's upgraded stream, then runs the <see cref="Connection"/> on the request's own task until it
/// ends. Called by Kestrel on a request thread, once per handshake; owns nothing past the call.
/// </summary>
/// <remarks>
/// Valid upgrades on a fresh plain-HTTP connection normally never get here: <see cref="DirectUpgradeMiddleware"/>
/// takes them first, at a fraction of the memory. This endpoint answers what the middleware hands on: every refusal,
/// plain HTTP with a short text body naming the problem (400 for a bad or missing Upgrade, Connection, key or version
/// header, 426 with <c>Sec-WebSocket-Version: 13</c> for another version, 405 with <c>Allow: GET</c> for other
/// methods, 503 with <c>Retry-After</c> while shutting down or over <see cref="StreamOptions.MaxConnections"/>), and the upgrades the middleware does not recognise (after another request on
/// a keep-alive connection, TLS, unusual request forms). We do our own framing (not System.Net.WebSockets) so that
/// one prebuilt frame can go to many connections.
/// <para>
/// Every request that reaches this endpoint is counted once in <c>marketpush_transport_handshakes_total</c> with the
/// answer it got (<see cref="MarketPushMetrics.HandshakeCompleted(int)"/>); the direct path counts only the upgrades it
/// answers itself and hands everything else here.
/// </para>
/// </remarks>
public sealed class StreamEndpoint
{
    private readonly StreamOptions _options;
    private readonly ISessionHandler _sessions;
    private readonly ConnectionGate _gate;
    private readonly ConnectionServices _services;
    private readonly ILogger _logger;

    internal StreamEndpoint(StreamOptions options, ISessionHandler sessions, ConnectionGate gate, ConnectionServices services, ILogger logger)
    {
        _options = options;
        _sessions = sessions;
        _gate = gate;
        _services = services;
        _logger = logger;
    }

    /// <summary>The request delegate mapped at <see cref="StreamOptions.Path"/> for every method.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        HttpRequest request = context.Request;
        IHeaderDictionary headers = request.Headers;
        UpgradeDecision decision = UpgradeDecision.Negotiate(
            request.Method,
            headers.Upgrade,
            headers.Connection,
            headers.SecWebSocketKey,
            headers.SecWebSocketVersion,
            headers.SecWebSocketProtocol,
            headers.SecWebSocketExtensions);
        HandshakeOutcome outcome = decision.Outcome;
        if (!outcome.IsAccepted)
        {
            if (outcome.StatusCode == HandshakeOutcome.UpgradeRequired)
            {
                context.Response.Headers.SecWebSocketVersion = HandshakeValidator.SupportedVersion;
            }
            else if (outcome.StatusCode == HandshakeOutcome.MethodNotAllowed)
            {
                context.Response.Headers.Allow = HttpMethods.Get;
            }

            await RefuseAsync(context, outcome.StatusCode, outcome.Reason ?? "Bad WebSocket handshake.").ConfigureAwait(false);
            return;
        }

        IHttpUpgradeFeature? upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is null || !upgrade.IsUpgradableRequest)
        {
            // HTTP/2 or HTTP/3 (no RFC 8441 support here) or a request with a body.
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "This connection cannot be upgraded; use HTTP/1.1.").ConfigureAwait(false);
            return;
        }

        if (_gate.IsShuttingDown)
        {
            context.Response.Headers.RetryAfter = "1";
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "The server is shutting down.").ConfigureAwait(false);
            return;
        }

        if (!_gate.TryReserve())
        {
            StreamOptions options = _options;
            context.Response.Headers.RetryAfter = options.ConnectionLimitRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await RefuseAsync(
                context,
                StatusCodes.Status503ServiceUnavailable,
                $"Too many connections: this server accepts at most {options.MaxConnections.ToString(CultureInfo.InvariantCulture)}; retry later.").ConfigureAwait(false);
            return;
        }

        IHeaderDictionary response = context.Response.Headers;
        response.Upgrade = "websocket";
        response.SecWebSocketAccept = decision.AcceptKey;
        if (decision.Protocol is not null)
        {
            response.SecWebSocketProtocol = decision.Protocol;
        }

        if (decision.ExtensionResponse is not null)
        {
            response.SecWebSocketExtensions = decision.ExtensionResponse;
        }

        // Our own liveness and slow-consumer rules govern an upgraded connection, not Kestrel's body data rates.
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRequestRate)
        {
            minRequestRate.MinDataRate = null;
        }

        if (context.Features.Get<IHttpMinResponseDataRateFeature>() is { } minResponseRate)
        {
            minResponseRate.MinDataRate = null;
        }

        Stream stream;
        try
        {
            stream = await upgrade.UpgradeAsync().ConfigureAwait(false);
        }
        catch
        {
            // The client went away (or the request was aborted) before the 101 was committed.
            _gate.CancelReservation();
            _services.Metrics.HandshakeCompleted(HandshakeResult.Error);
            throw;
        }

        _gate.Opened(direct: false);
        try
        {
            Connection connection = OpenConnection(
                PipeReader.Create(stream, _services.StreamReaderOptions),
                PipeWriter.Create(stream, _services.StreamWriterOptions),
                context,
                decision,
                context.Connection.RemoteIpAddress is { } ip ? new System.Net.IPEndPoint(ip, context.Connection.RemotePort) : null);
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Ended();
        }
    }

    /// <summary>
    /// After the 101 went out (or was written), on either path: builds the session, queues its welcome, and creates
    /// the connection over <paramref name="input"/>/<paramref name="output"/>; the caller runs it.
    /// <paramref name="transport"/> is what an abort tears down (the HttpContext or the Kestrel connection).
    /// </summary>
    internal Connection OpenConnection(PipeReader input, PipeWriter output, object transport, in UpgradeDecision decision, object? remote)
    {
        // The welcome is queued before the session is registered, so no broadcast can get ahead of it.
        IStreamSession session = _sessions.Open(decision.Encoding, decision.Deflate, remote as System.Net.EndPoint);
        var connection = new Connection(input, output, transport, session, _services, decision.Deflate, _logger);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug(
                "Session {Session} opened from {Remote} ({Encoding}, deflate {Deflate})",
                session.Id,
                remote,
                decision.Encoding,
                decision.Deflate);
        }

        return connection;
    }

    private Task RefuseAsync(HttpContext context, int statusCode, string reason)
    {
        // Counted before the answer leaves, so a client that scrapes /metrics after reading it sees its handshake.
        _services.Metrics.HandshakeCompleted(statusCode);
        byte[] body = Encoding.UTF8.GetBytes(reason);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, 0, body.Length);
    }
}
