using MarketPush.Engine.Buffers;
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
/// (valid only during the call); stateless, so one instance serves every connection.
/// </summary>
/// <remarks>
/// This issue implements <c>ping</c>; subscribe, unsubscribe and symbols arrive with the routing stage and answer
/// <c>unknown_op</c> until then. A message that is not a valid command, or arrives in the wrong frame type (binary on
/// a JSON connection, text on a MessagePack one), gets <c>bad_request</c>, and the connection stays open.
/// </remarks>
public sealed class CommandHandler
{
    private readonly ServerMessages _messages;

    public CommandHandler(ServerMessages messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        _messages = messages;
    }

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

        switch (command!.Op)
        {
            case CommandOp.Ping:
                Enqueue(session, _messages.BuildPong(session.Encoding, command.Id));
                break;
            default:
                ReplyError(session, new CommandError(command.Id, ErrorCodes.UnknownOp, $"op '{OpName(command.Op)}' is not available on this server yet"));
                break;
        }
    }

    private void ReplyError(Session session, CommandError error)
    {
        session.CountErrorReply();
        Enqueue(session, _messages.BuildError(session.Encoding, error.Id, error.Code, error.Message));
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
