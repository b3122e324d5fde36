using System.Text;
using System.Text.Json;
using MarketPush.LoadGen.Options;
using MarketPush.LoadGen.Runner;

namespace MarketPush.LoadGen.Tests;

public sealed class ScenarioPlanTests
{
    [Theory]
    [InlineData(1000, 0.01, 10)]
    [InlineData(1000, 0.25, 250)]
    [InlineData(7, 0.5, 3)]
    [InlineData(100, 1, 100)]
    public void IsSlow_PicksTheShareOfConnections_SpreadEvenly(int connections, double share, int expected)
    {
        var plan = new ScenarioPlan(new RunOptions { Scenario = ScenarioKind.Slow, SlowShare = share }, SymbolUniverse.Generated("SYM", 10));

        int[] slow = [.. Enumerable.Range(0, connections).Where(plan.IsSlow)];

        Assert.Equal(expected, slow.Length);
        if (slow.Length > 1 && share < 0.5)
        {
            // Spread, not bunched at the start: consecutive slow readers are about 1/share apart.
            Assert.All(slow.Zip(slow.Skip(1)), pair => Assert.InRange(pair.Second - pair.First, (int)(0.9 / share), (int)(1.1 / share) + 1));
        }
    }

    [Fact]
    public void SlowReaders_SubscribeToEverySymbol_OthersToTheirShare()
    {
        var plan = new ScenarioPlan(new RunOptions { Scenario = ScenarioKind.Slow, SlowShare = 0.5, SymbolsPerConnection = 2 }, SymbolUniverse.Generated("SYM", 10));

        Assert.Equal(2, plan.GetSymbolCount(0));
        Assert.Equal(10, plan.GetSymbolCount(1));
        using JsonDocument command = JsonDocument.Parse(plan.BuildSubscribeCommand(1, 0));
        Assert.Equal(10, command.RootElement.GetProperty("symbols").GetArrayLength());
    }

    [Fact]
    public void IsSlow_IsNeverTrue_OutsideTheSlowScenario()
    {
        var plan = new ScenarioPlan(new RunOptions { Scenario = ScenarioKind.Fanout, SlowShare = 0.5 }, SymbolUniverse.Generated("SYM", 10));

        Assert.DoesNotContain(Enumerable.Range(0, 100), plan.IsSlow);
    }

    [Fact]
    public void Symbols_SpreadEvenly_AndLocalIndexFindsThem()
    {
        var plan = new ScenarioPlan(new RunOptions { SymbolsPerConnection = 3 }, SymbolUniverse.Generated("SYM", 10));
        var subscribers = new int[10];
        for (int connection = 0; connection < 20; connection++)
        {
            int start = plan.GetSymbolStart(connection);
            for (int j = 0; j < 3; j++)
            {
                int symbol = (start + j) % 10;
                subscribers[symbol]++;
                Assert.Equal(j, plan.GetLocalIndex(start, 3, symbol));
            }

            Assert.Equal(-1, plan.GetLocalIndex(start, 3, (start + 3) % 10));
        }

        Assert.All(subscribers, count => Assert.Equal(6, count));
    }

    [Fact]
    public void Wide_PutsEveryConnectionOnTheFirstSymbol()
    {
        var plan = new ScenarioPlan(new RunOptions { Scenario = ScenarioKind.Wide, SymbolsPerConnection = 4 }, SymbolUniverse.Generated("SYM", 10));

        Assert.Equal(1, plan.SymbolsPerConnection);
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(0, plan.GetSymbolStart(i)));
    }

    [Fact]
    public void SubscribeCommands_AreValidJson_SplitToStayUnderTheMessageLimit()
    {
        var plan = new ScenarioPlan(new RunOptions { Scenario = ScenarioKind.Replay }, SymbolUniverse.Generated("SYM", 1000));
        var symbols = new List<string>();

        Assert.Equal(3, plan.GetSubscribeCommandCount(5));
        for (int command = 0; command < plan.GetSubscribeCommandCount(5); command++)
        {
            byte[] bytes = plan.BuildSubscribeCommand(globalIndex: 5, command);
            Assert.True(bytes.Length < 16 * 1024);
            using JsonDocument json = JsonDocument.Parse(bytes);
            Assert.Equal("subscribe", json.RootElement.GetProperty("op").GetString());
            Assert.Equal(command + 1, json.RootElement.GetProperty("id").GetInt32());
            Assert.False(json.RootElement.GetProperty("snapshot").GetBoolean());
            Assert.Equal(["quote"], json.RootElement.GetProperty("channels").EnumerateArray().Select(c => c.GetString()!));
            symbols.AddRange(json.RootElement.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()!));
        }

        Assert.Equal(1000, symbols.Distinct().Count());
    }

    [Fact]
    public void HandshakeRequest_CarriesAFreshKey_AndTheDeflateOfferOnlyWhenAsked()
    {
        var plain = new ScenarioPlan(new RunOptions { Url = new Uri("ws://127.0.0.1:9001/v1/stream") }, SymbolUniverse.Generated("SYM", 1));
        var deflate = new ScenarioPlan(new RunOptions { Url = new Uri("ws://127.0.0.1:9001/v1/stream"), Scenario = ScenarioKind.Compression }, SymbolUniverse.Generated("SYM", 1));

        string first = Encoding.ASCII.GetString(plain.BuildHandshakeRequest(out string accept1));
        string second = Encoding.ASCII.GetString(plain.BuildHandshakeRequest(out string accept2));
        string offer = Encoding.ASCII.GetString(deflate.BuildHandshakeRequest(out _));

        Assert.StartsWith("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n", first, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", first, StringComparison.Ordinal);
        Assert.NotEqual(accept1, accept2);
        Assert.DoesNotContain("permessage-deflate", first, StringComparison.Ordinal);
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n", offer, StringComparison.Ordinal);
    }
}
