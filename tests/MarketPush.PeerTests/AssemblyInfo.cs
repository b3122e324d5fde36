// Peer tests start real processes (chromium, node, python) and rely on heartbeat timing; running them one at a time
// keeps a 2-core machine from starving a peer long enough to miss a ping deadline. It also lets xunit enforce
// the per-test Timeout, which it only does when tests run sequentially.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
