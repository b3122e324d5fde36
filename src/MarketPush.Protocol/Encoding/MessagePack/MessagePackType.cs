namespace MarketPush.Protocol.Encodings.MessagePack;

/// <summary>The MessagePack type system's types (spec.md "Type system"), as <see cref="MessagePackReader.PeekType"/> reports them.</summary>
public enum MessagePackType : byte
{
    Integer,
    Nil,
    Boolean,
    Float,
    String,
    Binary,
    Array,
    Map,
    Extension,

    /// <summary>0xc1, which the spec reserves and no valid document contains.</summary>
    NeverUsed,
}
