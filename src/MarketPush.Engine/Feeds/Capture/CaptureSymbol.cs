namespace MarketPush.Engine.Feeds.Capture;

/// <summary>
/// A symbol met in a capture: its name as recorded, the decimals its prices are written with, and the description
/// of its declaration (empty when undeclared). <see cref="CsvCaptureReader"/> numbers symbols in order of first
/// appearance; a tick it returns carries that number as its <see cref="Tick.InstrumentId"/>.
/// </summary>
public sealed record CaptureSymbol(int Index, string Symbol, int Decimals, string Description, bool Declared);
