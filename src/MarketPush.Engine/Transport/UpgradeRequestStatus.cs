namespace MarketPush.Engine.Transport;

/// <summary>What <see cref="UpgradeRequestHead.TryParse"/> made of the bytes a new connection sent so far.</summary>
internal enum UpgradeRequestStatus
{
    /// <summary>Could still be a direct upgrade request; read more.</summary>
    NeedMoreData,

    /// <summary>A complete request head the direct path understands; its verdict is still to be decided.</summary>
    Complete,

    /// <summary>Not for the direct path: hand the connection, bytes unconsumed, to Kestrel's HTTP pipeline.</summary>
    NotDirect,
}
