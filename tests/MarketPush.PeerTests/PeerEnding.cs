namespace MarketPush.PeerTests;

// How a peer test ends: the server shuts down (peer must see 1001) or the peer closes (peer must see 1000 echoed).
internal enum PeerEnding
{
    ServerShutdown,
    ClientClose,
}
