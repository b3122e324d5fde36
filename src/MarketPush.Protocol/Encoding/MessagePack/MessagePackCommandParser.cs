using System.Diagnostics.CodeAnalysis;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings.MessagePack;

/// <summary>
/// Parses one client command from a MessagePack binary message: a map with the same keys and values as the JSON
/// form (PROTOCOL.md). Integers may come in any int format, <c>maxRate</c> as an int or a float 32/64, nil stands
/// for an absent optional field. Same result and same error wording as <see cref="Json.JsonCommandParser"/>.
/// Called by a connection's receive loop; off the hot path.
/// </summary>
public static class MessagePackCommandParser
{
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ClientCommand? command, out CommandError error)
    {
        var builder = new ClientCommandBuilder();
        try
        {
            Read(data, builder);
        }
        catch (MessagePackReaderException e)
        {
            builder.Malformed(e.Message);
        }

        return builder.TryBuild(out command, out error);
    }

    private static void Read(ReadOnlySpan<byte> data, ClientCommandBuilder builder)
    {
        var reader = new MessagePackReader(data);
        if (data.IsEmpty || reader.PeekType() != MessagePackType.Map)
        {
            builder.Malformed("command must be a MessagePack map");
            return;
        }

        int count = reader.ReadMapHeader();
        for (int i = 0; i < count; i++)
        {
            if (reader.PeekType() != MessagePackType.String)
            {
                builder.Fail("command keys must be strings");
                reader.Skip();
                reader.Skip();
                continue;
            }

            CommandField field = ClientCommandBuilder.GetField(reader.ReadStringBytes());
            if (field == CommandField.None || !builder.MarkSeen(field))
            {
                reader.Skip();
                continue;
            }

            ReadField(ref reader, field, builder);
        }

        if (!reader.End)
        {
            builder.Malformed($"unexpected bytes after the command map at offset {reader.Position}");
        }
    }

    private static void ReadField(ref MessagePackReader reader, CommandField field, ClientCommandBuilder builder)
    {
        MessagePackType type = reader.PeekType();
        switch (field)
        {
            case CommandField.Op when type == MessagePackType.String:
                builder.SetOp(reader.ReadString());
                return;
            case CommandField.Op:
                builder.SetOpInvalid();
                break;
            case CommandField.Id when type == MessagePackType.Integer:
                ReadId(ref reader, builder);
                return;
            case CommandField.Symbols or CommandField.Channels when type == MessagePackType.Array:
                ReadStringArray(ref reader, field, builder);
                return;
            case CommandField.Snapshot when type == MessagePackType.Boolean:
                builder.SetSnapshot(reader.ReadBoolean());
                return;
            case CommandField.MaxRate when type is MessagePackType.Integer or MessagePackType.Float:
                builder.SetMaxRate(reader.ReadDouble());
                return;
            case CommandField.Depth when type == MessagePackType.Integer:
                builder.SetDepth(reader.ReadInt64());
                return;
            case CommandField.Prefix when type == MessagePackType.String:
                builder.SetPrefix(reader.ReadString());
                return;
            case CommandField.Id or CommandField.Prefix when type == MessagePackType.Nil:
                break; // optional field sent as nil: absent
            default:
                builder.FailType(field);
                break;
        }

        reader.Skip();
    }

    private static void ReadId(ref MessagePackReader reader, ClientCommandBuilder builder)
    {
        int start = reader.Position;
        try
        {
            builder.SetId(reader.ReadInt64());
        }
        catch (MessagePackReaderException) when (reader.Position == start + 9)
        {
            // A uint 64 beyond long was consumed whole: the command is fine, only the id is out of range.
            builder.Fail(ClientCommandBuilder.IdRangeMessage);
        }
    }

    private static void ReadStringArray(ref MessagePackReader reader, CommandField field, ClientCommandBuilder builder)
    {
        int count = reader.ReadArrayHeader();
        if (field == CommandField.Symbols)
        {
            builder.StartSymbols();
        }

        for (int i = 0; i < count; i++)
        {
            if (reader.PeekType() != MessagePackType.String)
            {
                builder.FailType(field);
                reader.Skip();
            }
            else if (field == CommandField.Symbols)
            {
                builder.AddSymbol(reader.ReadString());
            }
            else
            {
                builder.AddChannel(reader.ReadStringBytes());
            }
        }
    }
}
