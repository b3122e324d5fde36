using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds;

public sealed partial class SyntheticFeed
{
    /// <summary>A book update is sent early when this many levels are waiting, so one update never outgrows the scratch.</summary>
    private const int MaxDirtyLevels = 64;

    private readonly MarketState _market;

    /// <summary>
    /// The simulated exchange: per instrument a 50-level book per side on a price grid, the levels changed since the
    /// last published book update, and a PCG32 stream. Flat arrays indexed [instrument × 50 + level] keep ten
    /// thousand instruments at ~2 KB each with no per-instrument objects.
    /// Model: the quote is the top of the book. Levels sit on a grid of <c>spacing</c> = max(tick, ~0.5 bp of the
    /// reference price) with occasional one-step gaps. The mid walks by one grid step when a side improves
    /// (a new better level) or retreats (the best level goes); the spread stays within 1..4 steps, and a weak pull
    /// back towards the reference price only starts beyond ×0.5 or ×2 of it. Sizes are round lots (≈$2k–20k).
    /// Book updates carry removals first, then new sizes, so a consumer capped at 50 levels never has to drop one.
    /// </summary>
    private sealed class MarketState
    {
        private const int Depth = BookDepth.Max;
        private const int MaxSpreadSteps = 4;

        private readonly InstrumentCatalog _catalog;
        private readonly long[] _bidPrice;
        private readonly long[] _bidSize;
        private readonly long[] _askPrice;
        private readonly long[] _askSize;
        private readonly int[] _bidCount;
        private readonly int[] _askCount;
        private readonly long[] _spacing;
        private readonly long[] _lot;
        private readonly long[] _reference;
        private readonly Pcg32[] _random;
        private readonly long[] _dirtyPrice;
        private readonly BookSide[] _dirtySide;
        private readonly int[] _dirtyCount;
        private int _cursor;

        public MarketState(InstrumentCatalog catalog, ulong seed)
        {
            _catalog = catalog;
            int n = catalog.Count;
            _bidPrice = new long[n * Depth];
            _bidSize = new long[n * Depth];
            _askPrice = new long[n * Depth];
            _askSize = new long[n * Depth];
            _bidCount = new int[n];
            _askCount = new int[n];
            _spacing = new long[n];
            _lot = new long[n];
            _reference = new long[n];
            _random = new Pcg32[n];
            _dirtyPrice = new long[n * MaxDirtyLevels];
            _dirtySide = new BookSide[n * MaxDirtyLevels];
            _dirtyCount = new int[n];
            for (int id = 0; id < n; id++)
            {
                _random[id] = Pcg32.ForStream(seed, (ulong)id);
                Initialize(id);
            }
        }

        public int WriteSnapshot(int id, Span<Tick> destination, long timestamp)
        {
            int count = 0;
            int bids = _bidCount[id];
            int asks = _askCount[id];
            int last = bids + asks - 1;
            for (int i = 0; i < bids; i++, count++)
            {
                destination[count] = Tick.ForBookLevel(id, timestamp, BookSide.Bid, _bidPrice[(id * Depth) + i], _bidSize[(id * Depth) + i], count == last);
            }

            for (int i = 0; i < asks; i++, count++)
            {
                destination[count] = Tick.ForBookLevel(id, timestamp, BookSide.Ask, _askPrice[(id * Depth) + i], _askSize[(id * Depth) + i], count == last);
            }

            _dirtyCount[id] = 0; // the snapshot carries every level
            destination[count++] = Tick.ForQuote(id, timestamp, TopOfBook(id));
            return count;
        }

        public int WriteNextEvent(Span<Tick> destination, long timestamp, double tradesPerQuote, double bookUpdatesPerQuote)
        {
            int id = _cursor;
            _cursor = _cursor + 1 == _catalog.Count ? 0 : _cursor + 1;
            ref Pcg32 random = ref _random[id];
            int count = 0;

            if (random.Chance(tradesPerQuote))
            {
                destination[count++] = Tick.ForTrade(id, timestamp, NextTrade(id, ref random));
            }

            if (_dirtyCount[id] > MaxDirtyLevels - 16)
            {
                count += PublishBook(id, destination.Slice(count), timestamp);
            }

            MoveTopOfBook(id, ref random);
            destination[count++] = Tick.ForQuote(id, timestamp, TopOfBook(id));

            if (random.Chance(bookUpdatesPerQuote))
            {
                ChangeDeepLevel(id, ref random);
                count += PublishBook(id, destination.Slice(count), timestamp);
            }

            return count;
        }

        public int CopyBook(int id, BookSide side, Span<BookLevel> destination)
        {
            (long[] prices, long[] sizes, int levels) = side == BookSide.Bid ? (_bidPrice, _bidSize, _bidCount[id]) : (_askPrice, _askSize, _askCount[id]);
            for (int i = 0; i < levels; i++)
            {
                destination[i] = new BookLevel(prices[(id * Depth) + i], sizes[(id * Depth) + i]);
            }

            return levels;
        }

        private void Initialize(int id)
        {
            Instrument instrument = _catalog[id];
            long scale = PriceFormatter.Scale(instrument.Decimals);
            long reference = _catalog.GetReferencePrice(id);
            if (reference <= 0)
            {
                reference = 100 * scale;
            }

            long tick = instrument.TickSize;
            long spacing = tick * Math.Max(1, reference / 20_000 / tick); // about half a basis point
            long lot = 1;
            while (lot < 1_000_000_000_000_000 && (Int128)lot * 10 * reference <= (Int128)20_000 * scale)
            {
                lot *= 10; // a round lot is worth roughly $2,000 to $20,000
            }

            _spacing[id] = spacing;
            _lot[id] = lot;
            _reference[id] = reference;

            ref Pcg32 random = ref _random[id];
            long bestBid = Math.Max(spacing, reference / spacing * spacing);
            long price = bestBid;
            for (int i = 0; i < Depth && price > 0; i++)
            {
                _bidPrice[(id * Depth) + i] = price;
                _bidSize[(id * Depth) + i] = lot * (1 + random.Next(10 + i));
                _bidCount[id]++;
                price -= spacing * (random.Chance(0.1) ? 2 : 1);
            }

            price = bestBid + (spacing * (1 + random.Next(2)));
            for (int i = 0; i < Depth; i++)
            {
                _askPrice[(id * Depth) + i] = price;
                _askSize[(id * Depth) + i] = lot * (1 + random.Next(10 + i));
                _askCount[id]++;
                price += spacing * (random.Chance(0.1) ? 2 : 1);
            }
        }

        private Quote TopOfBook(int id)
        {
            int b = id * Depth;
            return new Quote(
                _bidCount[id] > 0 ? _bidPrice[b] : 0,
                _bidCount[id] > 0 ? _bidSize[b] : 0,
                _askCount[id] > 0 ? _askPrice[b] : 0,
                _askCount[id] > 0 ? _askSize[b] : 0);
        }

        /// <summary>A trade at the bid (sell aggressor), at the ask (buy), or now and then strictly inside a wide spread.</summary>
        private Trade NextTrade(int id, ref Pcg32 random)
        {
            int b = id * Depth;
            long bid = _bidPrice[b];
            long ask = _askPrice[b];
            long tick = _catalog[id].TickSize;
            long size = _lot[id] * (1 + random.Next(5));
            int roll = random.Next(100);
            if (roll >= 90 && ask - bid > tick)
            {
                long insideSteps = ((ask - bid) / tick) - 1;
                return new Trade(bid + (tick * (1 + random.Next((int)Math.Min(insideSteps, int.MaxValue)))), size, TradeSide.Unknown);
            }

            return roll < 45
                ? new Trade(bid, Math.Min(size, _bidSize[b]), TradeSide.Sell)
                : new Trade(ask, Math.Min(size, _askSize[b]), TradeSide.Buy);
        }

        /// <summary>One quote-changing step: a size change at the touch (40%) or a one-level move of bid or ask (60%).</summary>
        private void MoveTopOfBook(int id, ref Pcg32 random)
        {
            int b = id * Depth;
            long spacing = _spacing[id];
            if (random.Next(100) < 40)
            {
                BookSide sizeSide = random.Next(2) == 0 ? BookSide.Bid : BookSide.Ask;
                SetSize(id, sizeSide, 0, _lot[id] * (1 + random.Next(20)));
                return;
            }

            long spreadSteps = (_askPrice[b] - _bidPrice[b]) / spacing;
            long mid = (_askPrice[b] + _bidPrice[b]) / 2;
            double upProbability = mid < _reference[id] / 2 ? 0.7 : mid > _reference[id] * 2 ? 0.3 : 0.5;
            bool up = random.Chance(upProbability);
            bool improve = spreadSteps >= MaxSpreadSteps || (spreadSteps > 1 && random.Next(2) == 0);
            if (up)
            {
                if (improve)
                {
                    Insert(id, BookSide.Bid, _bidPrice[b] + spacing, _lot[id] * (1 + random.Next(5)));
                }
                else
                {
                    RemoveBest(id, BookSide.Ask);
                }
            }
            else if (improve)
            {
                Insert(id, BookSide.Ask, _askPrice[b] - spacing, _lot[id] * (1 + random.Next(5)));
            }
            else if (_bidPrice[b] - spacing > 0 && _bidCount[id] > 1)
            {
                RemoveBest(id, BookSide.Bid);
            }

            Refill(id, BookSide.Bid, ref random);
            Refill(id, BookSide.Ask, ref random);
        }

        /// <summary>Liquidity changing away from the touch: a new size (80%) or a level pulled and another added at the back (20%).</summary>
        private void ChangeDeepLevel(int id, ref Pcg32 random)
        {
            BookSide side = random.Next(2) == 0 ? BookSide.Bid : BookSide.Ask;
            int levels = side == BookSide.Bid ? _bidCount[id] : _askCount[id];
            if (levels < 2)
            {
                return;
            }

            int index = 1 + random.Next(levels - 1);
            if (random.Next(100) < 80)
            {
                SetSize(id, side, index, _lot[id] * (1 + random.Next(10 + index)));
                return;
            }

            RemoveAt(id, side, index);
            Refill(id, side, ref random);
        }

        private void SetSize(int id, BookSide side, int index, long size)
        {
            long[] sizes = side == BookSide.Bid ? _bidSize : _askSize;
            long[] prices = side == BookSide.Bid ? _bidPrice : _askPrice;
            sizes[(id * Depth) + index] = size;
            MarkDirty(id, side, prices[(id * Depth) + index]);
        }

        /// <summary>Inserts a new best level; when the side is full its worst level falls off (and is published as removed).</summary>
        private void Insert(int id, BookSide side, long price, long size)
        {
            (long[] prices, long[] sizes, int[] counts) = side == BookSide.Bid ? (_bidPrice, _bidSize, _bidCount) : (_askPrice, _askSize, _askCount);
            int b = id * Depth;
            if (counts[id] == Depth)
            {
                MarkDirty(id, side, prices[b + Depth - 1]);
                counts[id]--;
            }

            Array.Copy(prices, b, prices, b + 1, counts[id]);
            Array.Copy(sizes, b, sizes, b + 1, counts[id]);
            prices[b] = price;
            sizes[b] = size;
            counts[id]++;
            MarkDirty(id, side, price);
        }

        private void RemoveBest(int id, BookSide side) => RemoveAt(id, side, 0);

        private void RemoveAt(int id, BookSide side, int index)
        {
            (long[] prices, long[] sizes, int[] counts) = side == BookSide.Bid ? (_bidPrice, _bidSize, _bidCount) : (_askPrice, _askSize, _askCount);
            int b = id * Depth;
            MarkDirty(id, side, prices[b + index]);
            int after = counts[id] - index - 1;
            Array.Copy(prices, b + index + 1, prices, b + index, after);
            Array.Copy(sizes, b + index + 1, sizes, b + index, after);
            counts[id]--;
        }

        /// <summary>Adds levels behind the worst one until the side has 50 again (bids stop at a zero price).</summary>
        private void Refill(int id, BookSide side, ref Pcg32 random)
        {
            (long[] prices, long[] sizes, int[] counts) = side == BookSide.Bid ? (_bidPrice, _bidSize, _bidCount) : (_askPrice, _askSize, _askCount);
            int b = id * Depth;
            long step = side == BookSide.Bid ? -_spacing[id] : _spacing[id];
            while (counts[id] < Depth)
            {
                int n = counts[id];
                long price = prices[b + n - 1] + (step * (random.Chance(0.1) ? 2 : 1));
                if (price <= 0)
                {
                    return;
                }

                prices[b + n] = price;
                sizes[b + n] = _lot[id] * (1 + random.Next(10 + n));
                counts[id]++;
                MarkDirty(id, side, price);
            }
        }

        private void MarkDirty(int id, BookSide side, long price)
        {
            int start = id * MaxDirtyLevels;
            int count = _dirtyCount[id];
            for (int i = 0; i < count; i++)
            {
                if (_dirtyPrice[start + i] == price && _dirtySide[start + i] == side)
                {
                    return;
                }
            }

            // WriteNextEvent publishes well before the set can fill, so count < MaxDirtyLevels here.
            _dirtyPrice[start + count] = price;
            _dirtySide[start + count] = side;
            _dirtyCount[id] = count + 1;
        }

        /// <summary>Writes the changed levels as one book update, removals first, and clears the set.</summary>
        private int PublishBook(int id, Span<Tick> destination, long timestamp)
        {
            int start = id * MaxDirtyLevels;
            int dirty = _dirtyCount[id];
            int count = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i < dirty; i++)
                {
                    BookSide side = _dirtySide[start + i];
                    long price = _dirtyPrice[start + i];
                    long size = FindSize(id, side, price);
                    if ((size == 0) == (pass == 0))
                    {
                        destination[count] = Tick.ForBookLevel(id, timestamp, side, price, size, count == dirty - 1);
                        count++;
                    }
                }
            }

            _dirtyCount[id] = 0;
            return count;
        }

        private long FindSize(int id, BookSide side, long price)
        {
            (long[] prices, long[] sizes, int levels) = side == BookSide.Bid ? (_bidPrice, _bidSize, _bidCount[id]) : (_askPrice, _askSize, _askCount[id]);
            int b = id * Depth;
            for (int i = 0; i < levels; i++)
            {
                if (prices[b + i] == price)
                {
                    return sizes[b + i];
                }
            }

            return 0;
        }
    }
}
