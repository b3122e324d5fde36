using MarketPush.Engine.Buffers;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Encodings.MessagePack;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// Executes client commands (PROTOCOL.md "Client to server"): parses one message in the session's encoding with the
/// Protocol project's <see cref="JsonCommandParser"/> / <see cref="MessagePackCommandParser"/>, runs the op, and
/// queues the reply on the session. Called by each connection's receive loop, synchronously, with the reader's payload
/// (valid only during the call); one instance serves every connection, and per-session state (subscriptions,
/// limiters) lives on the <see cref="Session"/>, created at first use.
/// </summary>
/// <remarks>
/// <c>ping</c> is answered here; <c>subscribe</c>, <c>unsubscribe</c> and <c>symbols</c> go to the market-data
/// commands (<see cref="SubscriptionCommands"/>) given to the constructor, and answer <c>unknown_op</c> on a handler
/// built without them (transport tests). A message that is not a valid command, or arrives in the
/// wrong frame type (binary on a JSON connection, text on a MessagePack one), gets <c>bad_request</c>; a valid command
/// beyond the connection's command rate gets <c>rate_limited</c> and is not executed; the connection stays open
/// either way, until it has had more error replies in the window than <see cref="SessionLimits.MaxErrorReplies"/>,
/// when it is closed with 1008.
/// </remarks>
public sealed class CommandHandler
{
    private readonly ServerMessages _messages;
    private readonly TimeProvider _time;
    private readonly SessionLimits _limits;

    /// <param name="marketData">The market-data ops; their <see cref="SubscriptionCommands.Limits"/> are the per-session
    /// limits. Null: only <c>ping</c> (a transport without market data), with <paramref name="limits"/>.</param>
    public CommandHandler(ServerMessages messages, SubscriptionCommands? marketData = null, SessionLimits? limits = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        _messages = messages;
        MarketData = marketData;
        _limits = marketData?.Limits ?? limits ?? SessionLimits.Default;
        _limits.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The market-data commands (null on a handler without market data).</summary>
    public SubscriptionCommands? MarketData { get; }

    /// <summary>Queues the <c>welcome</c> message; the endpoint calls it before the session is visible to anyone else.</summary>
    public void SendWelcome(Session session) => Enqueue(session, _messages.BuildWelcome(session));

    /// <summary>Handles one complete client message (text or binary) and queues the reply.</summary>
    public void Handle(Session session, WebSocketOpcode opcode, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(session);
        session.CountMessageReceived();
        bool json = session.Encoding == WireEncoding.Json;
        if (json != (opcode == WebSocketOpcode.Text))
        {
            ReplyError(
                session,
                new CommandError(
                    null,
                    ErrorCodes.BadRequest,
                    json ? "binary frame on a JSON connection; send text frames" : "text frame on a MessagePack connection; send binary frames"));
            return;
        }

        bool parsed = json
            ? JsonCommandParser.TryParse(payload, out ClientCommand? command, out CommandError error)
            : MessagePackCommandParser.TryParse(payload, out command, out error);
        if (!parsed)
        {
            ReplyError(session, error);
            return;
        }

        CommandRateLimiter rate = session.CommandRate ??= new CommandRateLimiter(_limits.MaxCommandsPerSecond, _limits.CommandBurst, _time);
        if (!rate.TryAcquire())
        {
            ReplyError(session, new CommandError(command!.Id, ErrorCodes.RateLimited, "too many commands; slow down"));
            return;
        }

        SubscriptionCommands? market = MarketData;
        switch (command!.Op)
        {
            case CommandOp.Ping:
                Enqueue(session, _messages.BuildPong(session.Encoding, command.Id));
                break;
            case CommandOp.Subscribe or CommandOp.Unsubscribe or CommandOp.Symbols when market is not null:
                RunMarketCommand(session, market, command);
                break;
            default:
                ReplyError(session, new CommandError(command.Id, ErrorCodes.UnknownOp, $"op '{OpName(command.Op)}' is not available on this server"));
                break;
        }
    }

    /// <summary>
    /// The connection ended (called once its receive loop is over): its subscriptions leave the router and whatever its
    /// conflation slots held goes back to the pool. Idempotent.
    /// </summary>
    public void EndSession(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        SubscriptionTable? table = session.Subscriptions;
        if (table is not null)
        {
            MarketData?.RemoveAll(table);
        }
    }

    private void RunMarketCommand(Session session, SubscriptionCommands market, ClientCommand command)
    {
        try
        {
            switch (command.Op)
            {
                case CommandOp.Subscribe:
                    market.Subscribe(GetSubscriptions(session, market), command);
                    break;
                case CommandOp.Unsubscribe:
                    market.Unsubscribe(GetSubscriptions(session, market), command);
                    break;
                default:
                    market.Symbols(session.Queue, session.Encoding, session.Compression, command);
                    break;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug in one command must not take the connection (or the receive loop) down with it.
            ReplyError(session, new CommandError(command.Id, ErrorCodes.InternalError, "the server failed to execute the command"));
        }
    }

    private static SubscriptionTable GetSubscriptions(Session session, SubscriptionCommands market)
    {
        SubscriptionTable? table = session.Subscriptions;
        if (table is null)
        {
            // First market command of this session (receive loop only, so no race on creation).
            table = market.CreateTable(session.Queue, session.Encoding, session.Compression, reason => CloseFromDelivery(session, market, reason));
            session.AttachSubscriptions(table);
        }

        return table;
    }

    /// <summary>
    /// The conflation slots decided to close the session (4001), on the router's or the rate scheduler's thread. The
    /// close frame is queued now; the subscriptions leave the router on a pool thread right away rather than when the
    /// connection finally ends (a client that stopped reading cannot finish the close handshake, so that takes the close
    /// timeout), so a dead session stops costing the router work. Never on the calling thread: removing takes the
    /// session's command lock, which a subscribe may hold while it encodes snapshots.
    /// </summary>
    private static void CloseFromDelivery(Session session, SubscriptionCommands market, DisconnectReason reason)
    {
        session.Close(reason);
        if (session.Subscriptions is { } table)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => state.Market.RemoveAll(state.Table), (Market: market, Table: table), preferLocal: false);
        }
    }

    private void ReplyError(Session session, CommandError error)
    {
        session.CountErrorReply();
        Enqueue(session, _messages.BuildError(session.Encoding, error.Id, error.Code, error.Message));
        BadCommandLimiter limiter = session.BadCommands ??= new BadCommandLimiter(_limits.MaxErrorReplies, TimeSpan.FromMilliseconds(_limits.ErrorWindowMs), _time);
        if (limiter.RecordError())
        {
            // PROTOCOL.md: more than MaxErrorReplies error replies in the window closes with 1008. The reply that
            // crossed the line is queued first, so the client sees why.
            session.Close(DisconnectReasons.PolicyViolation.WithDescription("too many bad commands"), afterQueuedData: true);
        }
    }

    private static void Enqueue(Session session, SharedFrame frame)
    {
        // The queue takes its own reference; a full or closing queue drops the reply (the queue counts it).
        session.TryEnqueue(frame);
        frame.Release();
    }

    private static string OpName(CommandOp op) => op switch
    {
        CommandOp.Subscribe => "subscribe",
        CommandOp.Unsubscribe => "unsubscribe",
        CommandOp.Symbols => "symbols",
        _ => "ping",
    };
}
