using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>Fields of one line: comma splitting outside quotes, unquoting, decoding, and the defect reports that name the line.</summary>
public sealed partial class CsvCaptureReader
{
    /// <summary>Splits a line at commas outside quotes into <see cref="_fields"/>; quoted fields exclude their quotes.</summary>
    private int Split(ReadOnlySpan<byte> line)
    {
        int count = 0;
        int position = 0;
        while (true)
        {
            if (count == _fields.Length)
            {
                Fail($"more than {MaxFields} fields");
            }

            if (position < line.Length && line[position] == (byte)'"')
            {
                int start = position + 1;
                int i = start;
                while (true)
                {
                    int quote = line.Slice(i).IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        Fail("unterminated quoted field");
                    }

                    i += quote;
                    if (i + 1 < line.Length && line[i + 1] == (byte)'"')
                    {
                        i += 2; // an escaped quote
                        continue;
                    }

                    break;
                }

                _fields[count] = new Range(start, i);
                _quoted[count] = true;
                count++;
                position = i + 1;
                if (position == line.Length)
                {
                    return count;
                }

                if (line[position] != (byte)',')
                {
                    Fail("text after a closing quote");
                }

                position++;
                continue;
            }

            int comma = line.Slice(position).IndexOf((byte)',');
            int end = comma < 0 ? line.Length : position + comma;
            _fields[count] = new Range(position, end);
            _quoted[count] = false;
            count++;
            if (comma < 0)
            {
                return count;
            }

            position = end + 1;
        }
    }

    private string FieldString(ReadOnlySpan<byte> line, int field) => _quoted[field] ? Unquote(line[_fields[field]]) : Decode(line[_fields[field]]);

    private string Decode(ReadOnlySpan<byte> text)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(text);
        }
        catch (DecoderFallbackException)
        {
            Fail("invalid UTF-8");
            return "";
        }
    }

    private string Unquote(ReadOnlySpan<byte> text) => Decode(text).Replace("\"\"", "\"", StringComparison.Ordinal);

    private static string Ascii(ReadOnlySpan<byte> text)
    {
        ReadOnlySpan<byte> shown = text.Length > 40 ? text.Slice(0, 40) : text;
        return Encoding.UTF8.GetString(shown) + (text.Length > 40 ? "…" : "");
    }

    private T FailWith<T>(string problem)
    {
        Fail(problem);
        return default!;
    }

    [DoesNotReturn]
    private void Fail(string problem)
    {
        throw new CaptureFormatException(Source, _line, _lineOffset, compressedOffset: false, problem);
    }
}
