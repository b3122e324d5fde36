using System.Diagnostics.CodeAnalysis;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings;

/// <summary>The command fields PROTOCOL.md defines; a bit each so duplicates are caught with one mask.</summary>
[Flags]
internal enum CommandField
{
    None = 0,
    Op = 1,
    Id = 2,
    Symbols = 4,
    Channels = 8,
    Snapshot = 16,
    MaxRate = 32,
    Depth = 64,
    Prefix = 128,
}

/// <summary>
/// Collects the fields of one command while the JSON or MessagePack parser walks it, validates each value, and
/// builds the <see cref="ClientCommand"/> or the <see cref="CommandError"/>. Both parsers share it so the two
/// encodings accept exactly the same commands and word their errors the same way.
/// A field error does not stop the walk: the parser keeps going so a valid <c>id</c> later in the object still
/// reaches the error reply. Malformed input (not JSON, truncated MessagePack) does stop it.
/// One instance per command, on the receive loop of one connection.
/// </summary>
internal sealed class ClientCommandBuilder
{
    private const int MaxEchoedLength = 64;

    private CommandField _seen;
    private string? _op;
    private bool _opInvalid;
    private long? _id;
    private List<string>? _symbols;
    private MarketChannels _channels;
    private bool? _snapshot;
    private double? _maxRate;
    private int? _depth;
    private string? _prefix;
    private string? _malformed;
    private string? _fieldError;

    public static CommandField GetField(ReadOnlySpan<byte> name)
    {
        if (name.SequenceEqual("op"u8)) return CommandField.Op;
        if (name.SequenceEqual("id"u8)) return CommandField.Id;
        if (name.SequenceEqual("symbols"u8)) return CommandField.Symbols;
        if (name.SequenceEqual("channels"u8)) return CommandField.Channels;
        if (name.SequenceEqual("snapshot"u8)) return CommandField.Snapshot;
        if (name.SequenceEqual("maxRate"u8)) return CommandField.MaxRate;
        if (name.SequenceEqual("depth"u8)) return CommandField.Depth;
        if (name.SequenceEqual("prefix"u8)) return CommandField.Prefix;
        return CommandField.None;
    }

    /// <summary>Records that the field was present; false (and an error) when it already was.</summary>
    public bool MarkSeen(CommandField field)
    {
        if ((_seen & field) != 0)
        {
            Fail($"duplicate field '{Name(field)}'");
            return false;
        }

        _seen |= field;
        return true;
    }

    /// <summary>The input is not a command at all; parsing stops.</summary>
    public void Malformed(string message) => _malformed ??= message;

    /// <summary>A field has a bad type or value; parsing goes on (so the id can still be found).</summary>
    public void Fail(string message) => _fieldError ??= message;

    public void FailType(CommandField field) => Fail(field switch
    {
        CommandField.Op => "'op' must be a string",
        CommandField.Id => IdRangeMessage,
        CommandField.Symbols => "'symbols' must be an array of strings",
        CommandField.Channels => "'channels' must be an array of strings",
        CommandField.Snapshot => "'snapshot' must be a boolean",
        CommandField.MaxRate => "'maxRate' must be a number",
        CommandField.Depth => DepthMessage,
        _ => "'prefix' must be a string",
    });

    public const string IdRangeMessage = "'id' must be an integer from 0 to 9007199254740991";

    private const string DepthMessage = "'depth' must be one of 1, 5, 10, 20, 50";

    public void SetOp(string op) => _op = op;

    public void SetOpInvalid()
    {
        _opInvalid = true;
        FailType(CommandField.Op);
    }

    public void SetId(long id)
    {
        if (id is < 0 or > ClientCommand.MaxId)
        {
            Fail(IdRangeMessage);
            return;
        }

        _id = id;
    }

    public void AddSymbol(string symbol) => (_symbols ??= []).Add(symbol);

    /// <summary>Marks <c>symbols</c> as present even when the array is empty.</summary>
    public void StartSymbols() => _symbols ??= [];

    public void AddChannel(ReadOnlySpan<byte> nameUtf8)
    {
        if (nameUtf8.SequenceEqual("quote"u8))
        {
            _channels |= MarketChannels.Quote;
        }
        else if (nameUtf8.SequenceEqual("trade"u8))
        {
            _channels |= MarketChannels.Trade;
        }
        else if (nameUtf8.SequenceEqual("book"u8))
        {
            _channels |= MarketChannels.Book;
        }
        else
        {
            Fail($"unknown channel '{Echo(System.Text.Encoding.UTF8.GetString(nameUtf8))}' (channels are quote, trade, book)");
        }
    }

    public void SetSnapshot(bool value) => _snapshot = value;

    public void SetMaxRate(double value)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            Fail("'maxRate' must be a finite number >= 0 (0 = every update)");
            return;
        }

        _maxRate = value;
    }

    public void SetDepth(long value)
    {
        if (!BookDepth.IsValid(value))
        {
            Fail(DepthMessage);
            return;
        }

        _depth = (int)value;
    }

    public void SetPrefix(string? value) => _prefix = value;

    public bool TryBuild([NotNullWhen(true)] out ClientCommand? command, out CommandError error)
    {
        command = null;
        if (_malformed is not null)
        {
            error = new CommandError(_id, ErrorCodes.BadRequest, _malformed);
            return false;
        }

        if (_op is null)
        {
            error = new CommandError(_id, ErrorCodes.BadRequest, _opInvalid ? "'op' must be a string" : "missing 'op'");
            return false;
        }

        CommandOp? op = _op switch
        {
            "subscribe" => CommandOp.Subscribe,
            "unsubscribe" => CommandOp.Unsubscribe,
            "ping" => CommandOp.Ping,
            "symbols" => CommandOp.Symbols,
            _ => null,
        };
        if (op is null)
        {
            error = new CommandError(_id, ErrorCodes.UnknownOp, $"unknown op '{Echo(_op)}' (ops are subscribe, unsubscribe, ping, symbols)");
            return false;
        }

        if (_fieldError is not null)
        {
            error = new CommandError(_id, ErrorCodes.BadRequest, _fieldError);
            return false;
        }

        bool channelsSpecified = (_seen & CommandField.Channels) != 0;
        if (op is CommandOp.Subscribe or CommandOp.Unsubscribe)
        {
            if (_symbols is null)
            {
                error = new CommandError(_id, ErrorCodes.BadRequest, $"'{_op}' needs 'symbols'");
                return false;
            }

            if (channelsSpecified && _channels == MarketChannels.None)
            {
                error = new CommandError(_id, ErrorCodes.BadRequest, "'channels' must name at least one channel");
                return false;
            }
        }

        command = new ClientCommand
        {
            Op = op.Value,
            Id = _id,
            Symbols = _symbols is null ? [] : _symbols.ToArray(),
            Channels = channelsSpecified ? _channels : op == CommandOp.Unsubscribe ? MarketChannels.All : MarketChannels.Quote,
            ChannelsSpecified = channelsSpecified,
            Snapshot = _snapshot ?? true,
            MaxRate = _maxRate ?? 0,
            MaxRateSpecified = _maxRate.HasValue,
            Depth = _depth ?? BookDepth.Default,
            DepthSpecified = _depth.HasValue,
            Prefix = _prefix,
        };
        error = default;
        return true;
    }

    private static string Name(CommandField field) => field switch
    {
        CommandField.Op => "op",
        CommandField.Id => "id",
        CommandField.Symbols => "symbols",
        CommandField.Channels => "channels",
        CommandField.Snapshot => "snapshot",
        CommandField.MaxRate => "maxRate",
        CommandField.Depth => "depth",
        _ => "prefix",
    };

    /// <summary>Client text quoted back in an error is cut short, so an error reply stays small whatever was sent.</summary>
    private static string Echo(string value) => value.Length <= MaxEchoedLength ? value : string.Concat(value.AsSpan(0, MaxEchoedLength), "…");
}
