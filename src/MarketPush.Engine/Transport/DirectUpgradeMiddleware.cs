using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MarketPush.Engine.Metrics;
using MarketPush.Protocol.Handshake;
using Microsoft.AspNetCore.Connections;

namespace MarketPush.Engine.Transport;

/// <summary>
/// A Kestrel connection middleware in front of the HTTP/1.1 pipeline: it reads the first request head off a new
/// connection and, when it is a valid WebSocket upgrade to the stream path, answers 101 itself (the bytes of
/// <see cref="UpgradeResponse"/>, written by the connection straight to the socket or into the transport's output
/// pipe, per <see cref="StreamOptions.SocketWriteMode"/>) and runs the
/// <see cref="Connection"/> straight over the transport's pipes. Everything else (other paths, bad handshakes,
/// /metrics, /healthz, TLS bytes, HTTP/2 prefaces) goes to the next middleware with no byte consumed, so Kestrel and
/// <see cref="StreamEndpoint"/> answer it exactly as they would without this middleware. Runs on Kestrel's connection
/// task, once per accepted connection; owns nothing past the handshake.
/// </summary>
/// <remarks>
/// Why: an upgrade through Kestrel's HTTP pipeline keeps the whole request machinery alive for the connection's life
/// (Http1Connection, request and response header collections, HttpContext, the upgrade stream, the request's
/// Activity, timeout control, their async state): about 7 KiB per idle connection, more than everything a
/// MarketPush session needs. Going direct leaves the socket transport's pipes and our session
/// (loadtests/results/idle-memory.md).
/// <para>
/// Both paths share <see cref="UpgradeDecision.Negotiate"/> (RFC 6455 §4.2.1 validation, subprotocol, RFC 7692
/// negotiation) and <see cref="StreamEndpoint.OpenConnection"/>. A request this middleware does not fully understand
/// (<see cref="UpgradeRequestHead"/>) or that would be refused is never answered here. The peek waits at most
/// <see cref="StreamOptions.HandshakeTimeoutMs"/> for a complete head, then hands the connection on to Kestrel and
/// its own request timeouts.
/// </para>
/// <para>
/// Handshake metrics: this path counts only the upgrades it answers (<c>accepted</c>); every other request it hands
/// on reaches <see cref="StreamEndpoint"/>, which counts its answer, so each request is counted once. An upgrade over
/// <see cref="StreamOptions.MaxConnections"/> is handed on too: its 503 and <c>Retry-After</c> come from there.
/// The connection slot reserved here is released when the connection's loops end.
/// </para>
/// </remarks>
public sealed class DirectUpgradeMiddleware
{
    // UpgradeRequestHead only recognises GET requests.
    private const string HttpMethodGet = "GET";

    private readonly StreamOptions _options;
    private readonly StreamEndpoint _endpoint;
    private readonly ConnectionGate _gate;
    private readonly ConnectionDelegate _next;
    private readonly byte[] _requestLinePrefix;

    internal DirectUpgradeMiddleware(StreamOptions options, StreamEndpoint endpoint, ConnectionGate gate, ConnectionDelegate next)
    {
        _options = options;
        _endpoint = endpoint;
        _gate = gate;
        _next = next;
        _requestLinePrefix = Encoding.ASCII.GetBytes("GET " + options.Path);
    }

    public async Task OnConnectedAsync(ConnectionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Connection? connection = await TryUpgradeAsync(context).ConfigureAwait(false);
        if (connection is null)
        {
            await _next(context).ConfigureAwait(false);
            return;
        }

        // Only the connection stays referenced from here on: the handshake's strings and buffers are garbage.
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Ended();
        }
    }

    /// <summary>The running connection when the request was a valid upgrade; null to hand the connection on.</summary>
    private async ValueTask<Connection?> TryUpgradeAsync(ConnectionContext context)
    {
        PipeReader input = context.Transport.Input;
        UpgradeRequestHead? head;
        using (var timeout = new CancellationTokenSource(_options.HandshakeTimeoutMs))
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    // A slow or silent client: Kestrel's own request timeouts decide what happens to it.
                    return null;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                UpgradeRequestStatus status = UpgradeRequestHead.TryParse(
                    buffer, _requestLinePrefix, _options.MaxHandshakeBytes, out head, out SequencePosition headEnd);
                if (status == UpgradeRequestStatus.NeedMoreData && !result.IsCompleted && !result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                if (status == UpgradeRequestStatus.Complete && !_gate.IsShuttingDown)
                {
                    UpgradeDecision decision = UpgradeDecision.Negotiate(
                        HttpMethodGet,
                        head!.Upgrade,
                        head.Connection,
                        head.SecWebSocketKey,
                        head.SecWebSocketVersion,
                        head.SecWebSocketProtocol,
                        head.SecWebSocketExtensions);
                    // At the connection limit: handed on, so StreamEndpoint refuses it (and counts the refusal) the
                    // same way on both paths.
                    if (decision.IsAccepted && _gate.TryReserve())
                    {
                        // Consume exactly the request head; frames a client sent right behind it stay for the reader.
                        input.AdvanceTo(headEnd);
                        try
                        {
                            return Accept(context, decision);
                        }
                        catch
                        {
                            _gate.CancelReservation();
                            throw;
                        }
                    }
                }

                // Nothing consumed and nothing examined: Kestrel's parser gets the same bytes without waiting for more.
                // Refusals (400/405/426/503) are answered there, by StreamEndpoint, with the usual headers and body.
                input.AdvanceTo(buffer.Start);
                return null;
            }
        }
    }

    private Connection Accept(ConnectionContext context, in UpgradeDecision decision)
    {
        Connection connection = _endpoint.OpenConnection(context.Transport.Input, context.Transport.Output, context, decision, context.RemoteEndPoint);

        // The 101 is ours to write (UpgradeResponse has its bytes), the way the connection writes everything else:
        // straight to the socket ahead of the welcome in the first send, or unflushed into the transport's pipe so the
        // 101 and the welcome leave in the first flush.
        connection.WriteUpgradeResponse(decision.AcceptKey!, decision.Protocol, decision.ExtensionResponse);
        _gate.Opened(direct: true);
        return connection;
    }
}
