using BenchmarkDotNet.Attributes;

namespace MarketPush.Benchmarks.Tests;

/// <summary>Benchmarks with known allocations, for the checker's tests (public: the checker instantiates them).</summary>
public class OccasionalAllocationBenchmark
{
    private long _calls;
    private object? _kept;

    [Benchmark]
    public object? AllocateEvery64th()
    {
        // 32 B every 64 calls: half a byte per call, which bytes-per-call integer division rounded to 0.
        if ((++_calls & 63) == 0)
        {
            _kept = new byte[1];
        }

        return _kept;
    }

    [Benchmark]
    public long AllocateNothing() => ++_calls;

    [Benchmark(OperationsPerInvoke = 128)]
    public object AllocateKiBPer128Operations() => _kept = new byte[1024];
}
