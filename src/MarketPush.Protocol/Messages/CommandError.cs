namespace MarketPush.Protocol.Messages;

/// <summary>
/// Why a client message is not a valid command: the <c>error</c> reply to send. <see cref="Id"/> is the command's
/// <c>id</c> when it had a valid one (PROTOCOL.md: "an error carries the id whenever the command had a valid one").
/// </summary>
public readonly record struct CommandError(long? Id, string Code, string Message);
