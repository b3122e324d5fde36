using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings.Json;

/// <summary>
/// Parses one client command from a JSON text message (PROTOCOL.md "Client to server") into a
/// <see cref="ClientCommand"/>, or into the <see cref="CommandError"/> to reply with. Unknown fields are ignored
/// (clients may be newer than the server); duplicate fields, wrong types and out-of-range values are
/// <c>bad_request</c>, an unknown op is <c>unknown_op</c>. Called by a connection's receive loop; commands are off
/// the hot path, so the command object and its strings are allocated.
/// </summary>
public static class JsonCommandParser
{
    private static readonly JsonReaderOptions s_options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };

    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out ClientCommand? command, out CommandError error)
    {
        var builder = new ClientCommandBuilder();
        try
        {
            Read(utf8Json, builder);
        }
        catch (JsonException)
        {
            builder.Malformed("command is not valid JSON");
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader reports text it cannot transcode (invalid UTF-8 or lone surrogate escapes) this way.
            builder.Malformed("command contains text that is not valid UTF-8");
        }

        return builder.TryBuild(out command, out error);
    }

    private static void Read(ReadOnlySpan<byte> json, ClientCommandBuilder builder)
    {
        var reader = new Utf8JsonReader(json, s_options);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            builder.Malformed("command must be a JSON object");
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            CommandField field = reader.ValueIsEscaped
                ? ClientCommandBuilder.GetField(System.Text.Encoding.UTF8.GetBytes(reader.GetString()!))
                : ClientCommandBuilder.GetField(reader.ValueSpan);
            reader.Read();
            if (field == CommandField.None || !builder.MarkSeen(field))
            {
                reader.Skip();
                continue;
            }

            ReadField(ref reader, field, builder);
        }

        // The loop ends on the object's EndObject; anything after it makes the next Read throw (one value per message).
        if (reader.Read())
        {
            builder.Malformed("unexpected data after the command object");
        }
    }

    private static void ReadField(ref Utf8JsonReader reader, CommandField field, ClientCommandBuilder builder)
    {
        JsonTokenType token = reader.TokenType;
        switch (field)
        {
            case CommandField.Op:
                if (token == JsonTokenType.String)
                {
                    builder.SetOp(reader.GetString()!);
                }
                else
                {
                    builder.SetOpInvalid();
                    reader.Skip();
                }

                break;
            case CommandField.Id:
                if (token == JsonTokenType.Number && reader.TryGetInt64(out long id))
                {
                    builder.SetId(id);
                }
                else if (token != JsonTokenType.Null)
                {
                    builder.FailType(field);
                    reader.Skip();
                }

                break;
            case CommandField.Symbols:
            case CommandField.Channels:
                ReadStringArray(ref reader, field, builder);
                break;
            case CommandField.Snapshot:
                if (token is JsonTokenType.True or JsonTokenType.False)
                {
                    builder.SetSnapshot(token == JsonTokenType.True);
                }
                else
                {
                    builder.FailType(field);
                    reader.Skip();
                }

                break;
            case CommandField.MaxRate:
                if (token == JsonTokenType.Number && reader.TryGetDouble(out double rate))
                {
                    builder.SetMaxRate(rate);
                }
                else
                {
                    builder.FailType(field);
                    reader.Skip();
                }

                break;
            case CommandField.Depth:
                if (token == JsonTokenType.Number && reader.TryGetInt64(out long depth))
                {
                    builder.SetDepth(depth);
                }
                else
                {
                    builder.FailType(field);
                    reader.Skip();
                }

                break;
            default:
                if (token == JsonTokenType.String)
                {
                    builder.SetPrefix(reader.GetString());
                }
                else if (token != JsonTokenType.Null)
                {
                    builder.FailType(field);
                    reader.Skip();
                }

                break;
        }
    }

    private static void ReadStringArray(ref Utf8JsonReader reader, CommandField field, ClientCommandBuilder builder)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            builder.FailType(field);
            reader.Skip();
            return;
        }

        if (field == CommandField.Symbols)
        {
            builder.StartSymbols();
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                builder.FailType(field);
                reader.Skip();
                continue;
            }

            if (field == CommandField.Symbols)
            {
                builder.AddSymbol(reader.GetString()!);
            }
            else if (reader.ValueIsEscaped)
            {
                builder.AddChannel(System.Text.Encoding.UTF8.GetBytes(reader.GetString()!));
            }
            else
            {
                builder.AddChannel(reader.ValueSpan);
            }
        }
    }
}
