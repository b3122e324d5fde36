using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds.Capture;

/// <summary>Lines of a capture: each complete line becomes a tick, a symbol declaration, or a defect with its position.</summary>
public sealed partial class CsvCaptureReader
{
    // Lines -------------------------------------------------------------------------------------------------

    /// <summary>Parses the complete lines in the buffer into ticks; stops at a partial line (unless the stream ended).</summary>
    private int ParseBuffered(Span<Tick> destination)
    {
        int count = 0;
        while (count < destination.Length && _pendingError is null && !Completed)
        {
            ReadOnlySpan<byte> pending = _buffer.AsSpan(_start, _end - _start);
            int newline = pending.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line;
            if (newline >= 0)
            {
                line = pending.Slice(0, newline);
            }
            else if (_streamEnded)
            {
                if (pending.IsEmpty)
                {
                    if (_header != HeaderState.Rows)
                    {
                        _line++;
                        _lineOffset = _bufferOffset + _start;
                        _pendingError = new CaptureFormatException(Source, _line, _lineOffset, compressedOffset: false,
                            _header == HeaderState.ExpectMagic ? $"empty file: expected '{CaptureFormat.MagicLine}'" : $"no column header '{CaptureFormat.ColumnHeader}'");
                        break;
                    }

                    Completed = true;
                    break;
                }

                line = pending; // last line without a line break
            }
            else
            {
                break;
            }

            _line++;
            _lineOffset = _bufferOffset + _start;
            _start += line.Length + (newline >= 0 ? 1 : 0);
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line.Slice(0, line.Length - 1);
            }

            try
            {
                if (ParseLine(line, out Tick tick))
                {
                    destination[count++] = tick;
                    EventsRead++;
                }
            }
            catch (CaptureFormatException ex)
            {
                // Keep the events parsed so far: the caller gets them now and the error on its next call.
                _pendingError = ex;
            }
        }

        return count;
    }

    private bool ParseLine(ReadOnlySpan<byte> line, out Tick tick)
    {
        tick = default;
        if (_header == HeaderState.ExpectMagic)
        {
            if (line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                line = line.Slice(3);
            }

            if (!line.SequenceEqual(Encoding.ASCII.GetBytes(CaptureFormat.MagicLine)))
            {
                Fail($"not a MarketPush capture: the first line must be '{CaptureFormat.MagicLine}'");
            }

            _header = HeaderState.ExpectColumns;
            return false;
        }

        if (line.IsEmpty)
        {
            return false;
        }

        if (line[0] == (byte)'#')
        {
            if (line.StartsWith("# instrument,"u8))
            {
                ParseDeclaration(line.Slice("# instrument,"u8.Length));
            }

            return false;
        }

        if (_header == HeaderState.ExpectColumns)
        {
            if (!line.SequenceEqual("time_us,symbol,kind,f1,f2,f3,f4"u8))
            {
                Fail($"expected the column header '{CaptureFormat.ColumnHeader}'");
            }

            _header = HeaderState.Rows;
            return false;
        }

        int fieldCount = Split(line);
        if (fieldCount < 4)
        {
            Fail("expected time_us,symbol,kind and the kind's fields");
        }

        ReadOnlySpan<byte> timeText = line[_fields[0]];
        if (!Utf8Parser.TryParse(timeText, out long time, out int consumed) || consumed != timeText.Length || time < 0)
        {
            Fail($"bad time_us '{Ascii(timeText)}'");
        }

        int symbol = ResolveSymbol(line[_fields[1]], _quoted[1]);
        ReadOnlySpan<byte> kind = line[_fields[2]];
        if (kind.SequenceEqual("quote"u8))
        {
            ExpectFields(fieldCount, 7, "quote");
            long bid = ParsePrice(symbol, line[_fields[3]]);
            long bidSize = ParseSize(line[_fields[4]]);
            long ask = ParsePrice(symbol, line[_fields[5]]);
            long askSize = ParseSize(line[_fields[6]]);
            tick = Tick.ForQuote(symbol, time, new Quote(bid, bidSize, ask, askSize));
        }
        else if (kind.SequenceEqual("trade"u8))
        {
            ExpectFields(fieldCount, 6, "trade");
            long price = ParsePrice(symbol, line[_fields[3]]);
            long size = ParseSize(line[_fields[4]]);
            ReadOnlySpan<byte> sideText = line[_fields[5]];
            TradeSide side = sideText.SequenceEqual("buy"u8) ? TradeSide.Buy
                : sideText.SequenceEqual("sell"u8) ? TradeSide.Sell
                : sideText.SequenceEqual("unknown"u8) ? TradeSide.Unknown
                : FailWith<TradeSide>($"bad trade side '{Ascii(sideText)}' (buy, sell or unknown)");
            tick = Tick.ForTrade(symbol, time, new Trade(price, size, side));
        }
        else if (kind.SequenceEqual("book"u8))
        {
            ExpectFields(fieldCount, 7, "book");
            ReadOnlySpan<byte> sideText = line[_fields[3]];
            BookSide side = sideText.SequenceEqual("bid"u8) ? BookSide.Bid
                : sideText.SequenceEqual("ask"u8) ? BookSide.Ask
                : FailWith<BookSide>($"bad book side '{Ascii(sideText)}' (bid or ask)");
            long price = ParsePrice(symbol, line[_fields[4]]);
            long size = ParseSize(line[_fields[5]]);
            ReadOnlySpan<byte> endText = line[_fields[6]];
            bool end = endText.SequenceEqual("1"u8) || (!endText.SequenceEqual("0"u8) && FailWith<bool>($"bad end flag '{Ascii(endText)}' (1 or 0)"));
            tick = Tick.ForBookLevel(symbol, time, side, price, size, end);
        }
        else if (kind.SequenceEqual("status"u8))
        {
            ExpectFields(fieldCount, 4, "status");
            ReadOnlySpan<byte> stateText = line[_fields[3]];
            FeedState state = stateText.SequenceEqual("open"u8) ? FeedState.Open
                : stateText.SequenceEqual("stale"u8) ? FeedState.Stale
                : stateText.SequenceEqual("halted"u8) ? FeedState.Halted
                : FailWith<FeedState>($"bad status '{Ascii(stateText)}' (open, halted or stale)");
            tick = Tick.ForStatus(symbol, time, state);
        }
        else
        {
            Fail($"unknown kind '{Ascii(kind)}' (quote, trade, book or status)");
        }

        return true;
    }

    private void ParseDeclaration(ReadOnlySpan<byte> text)
    {
        int fieldCount = Split(text);
        if (fieldCount is < 2 or > 3)
        {
            Fail("expected '# instrument,SYMBOL,DECIMALS,DESCRIPTION'");
        }

        string symbol = FieldString(text, 0);
        ReadOnlySpan<byte> decimalsText = text[_fields[1]];
        if (!Utf8Parser.TryParse(decimalsText, out int decimals, out int consumed) || consumed != decimalsText.Length || decimals < 0 || decimals > Instrument.MaxDecimals)
        {
            Fail($"bad decimals '{Ascii(decimalsText)}' for '{symbol}' (0..{Instrument.MaxDecimals})");
        }

        string description = fieldCount == 3 ? FieldString(text, 2) : "";
        if (symbol.Length == 0 || symbol.Length > MaxSymbolChars)
        {
            Fail("empty or overlong symbol in an instrument declaration");
        }

        if (_symbolIndex.TryGetValue(symbol, out int index))
        {
            CaptureSymbol known = _symbols[index];
            if (known.Decimals != decimals && (known.Declared || _hasPrices[index]))
            {
                Fail($"'{symbol}' is declared with {decimals} decimals after its prices used {known.Decimals}");
            }

            _symbols[index] = known with { Decimals = decimals, Description = description, Declared = true };
            return;
        }

        _symbolIndex.Add(symbol, _symbols.Count);
        _symbols.Add(new CaptureSymbol(_symbols.Count, symbol, decimals, description, Declared: true));
        _hasPrices.Add(false);
    }

    private int ResolveSymbol(ReadOnlySpan<byte> text, bool quoted)
    {
        if (!quoted && text.Length <= MaxSymbolChars)
        {
            Span<char> chars = stackalloc char[MaxSymbolChars];
            if (Encoding.UTF8.TryGetChars(text, chars, out int length) && _symbolLookup.TryGetValue(chars.Slice(0, length), out int known))
            {
                return known;
            }
        }

        string symbol = quoted ? Unquote(text) : Decode(text);
        if (symbol.Length == 0 || symbol.Length > MaxSymbolChars)
        {
            Fail("empty or overlong symbol");
        }

        if (_symbolIndex.TryGetValue(symbol, out int index))
        {
            return index;
        }

        index = _symbols.Count;
        _symbolIndex.Add(symbol, index);
        _symbols.Add(new CaptureSymbol(index, symbol, -1, "", Declared: false)); // decimals come from its first price
        _hasPrices.Add(false);
        return index;
    }

    private long ParsePrice(int symbol, ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text.Length > PriceFormatter.MaxLength)
        {
            Fail($"bad price '{Ascii(text)}'");
        }

        CaptureSymbol info = _symbols[symbol];
        int point = text.IndexOf((byte)'.');
        int digits = point < 0 ? 0 : text.Length - point - 1;
        if (info.Decimals < 0)
        {
            // An undeclared symbol: its first price sets the precision (the recorder writes every price with all decimals).
            info = info with { Decimals = Math.Min(digits, Instrument.MaxDecimals) };
            _symbols[symbol] = info;
        }

        Span<char> chars = stackalloc char[PriceFormatter.MaxLength];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        if (!PriceFormatter.TryParse(chars.Slice(0, text.Length), info.Decimals, out long price))
        {
            Fail(digits > info.Decimals
                ? $"price '{Ascii(text)}' has more decimals than the {info.Decimals} of '{info.Symbol}'"
                : $"bad price '{Ascii(text)}'");
        }

        _hasPrices[symbol] = true;
        return price;
    }

    private long ParseSize(ReadOnlySpan<byte> text)
    {
        if (!Utf8Parser.TryParse(text, out long size, out int consumed) || consumed != text.Length || size < 0)
        {
            Fail($"bad size '{Ascii(text)}' (a whole number, 0 or more)");
        }

        return size;
    }

    private void ExpectFields(int count, int expected, string kind)
    {
        if (count != expected)
        {
            Fail($"a {kind} row has {expected} fields, this one has {count}");
        }
    }
}
