using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MarketPush.Protocol.Messages;
using Xunit.Abstractions;

namespace MarketPush.IntegrationTests.Pipeline;

/// <summary>
/// PROTOCOL.md: "a decoded MessagePack message equals the parsed JSON message". A message of every type is taken from a
/// MessagePack connection and decoded by three implementations nobody here wrote (Debian's python3-msgpack, npm's
/// @msgpack/msgpack and NuGet's MessagePack-CSharp); each must give exactly what a JSON connection got for the same
/// event, keys in the same order, with prices as float64 and every other number an integer. MessagePack-CSharp also
/// decodes every other message the MessagePack connection got, which must equal what the test's own decoder read.
/// </summary>
public sealed class CrossImplementationTests(ITestOutputHelper output)
{
    private const string PythonScript = """
        import sys, json, msgpack
        for line in sys.stdin:
            line = line.strip()
            if line:
                print(json.dumps(msgpack.unpackb(bytes.fromhex(line), raw=False), separators=(',', ':'), ensure_ascii=False))
        """;

    private const string NodeScript = """
        const { decode } = require(process.argv[1]);
        const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(l => l.trim().length > 0);
        for (const line of lines) { console.log(JSON.stringify(decode(Buffer.from(line.trim(), 'hex')))); }
        """;

    private static readonly string[] s_types = ["welcome", "heartbeat", "symbols", "subscribed", "quote", "trade", "book", "status", "pong", "error", "unsubscribed"];

    [Fact]
    public async Task MessageOfEveryType_FromAMessagePackConnection_DecodesInPythonNodeAndMessagePackCSharp_ToWhatTheJsonConnectionSent()
    {
        string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "needs Debian's /usr/bin/python3 with python3-msgpack (tests/run-all.sh installs it)");
        string msgpackPackage = Path.Combine(RepoRoot(), "tests", "peers", "node", "node_modules", "@msgpack", "msgpack");
        Assert.True(
            File.Exists(Path.Combine(msgpackPackage, "package.json")),
            $"@msgpack/msgpack is not installed in {msgpackPackage}: run tests/run-all.sh or `cd tests/peers/node && npm install`");

        // Heartbeats every 2 s, so a heartbeat message comes soon. ClientWebSocket answers a ping only while a receive is
        // pending, and each client has none while the other one's unsubscribe is answered; with 1 s (a 4002 close after
        // 2 s of silence) a loaded CI machine once saw the server close a connection here.
        await using ServerScope server = await PipelineFlowTests.StartFeedAsync(options => options.HeartbeatMs = 2_000);
        await using MarketClient json = await MarketClient.ConnectAsync(server);
        await using MarketClient msgpack = await MarketClient.ConnectAsync(server, messagePack: true);
        var fromJson = new List<Received>();
        var fromMessagePack = new List<Received>();

        // welcome, then a heartbeat while the connections are idle.
        foreach ((MarketClient client, List<Received> into) in new[] { (json, fromJson), (msgpack, fromMessagePack) })
        {
            into.Add(await client.ReceiveTypeAsync("welcome", server.Token));
            into.Add(await client.ReceiveTypeAsync("heartbeat", server.Token));
            await client.SendAsync("""{"op":"symbols","id":1,"prefix":"SYM000"}""", server.Token);
            await client.SendAsync("""{"op":"subscribe","id":2,"symbols":["SYM0001","ZZZZ"],"channels":["quote","trade","book"],"depth":5}""", server.Token);
            await client.SendAsync("""{"op":"ping","id":3}""", server.Token);
            await client.SendAsync("""{"op":"fly","id":4}""", server.Token);
        }

        // Read both connections in turn (each always has a receive pending soon, so pings are answered) until each has
        // the four replies and each of quote, trade and book has a live update that both got: what the pairs below need.
        DateTimeOffset giveUp = DateTimeOffset.UtcNow.AddSeconds(20);
        while (!HasRepliesAndSharedLiveUpdates(fromJson, fromMessagePack))
        {
            Assert.True(DateTimeOffset.UtcNow < giveUp, $"no shared live quote, trade and book after 20 s: {Describe(fromJson)} / {Describe(fromMessagePack)}");
            fromJson.Add(await ReceiveOpenAsync(json, server.Token));
            fromMessagePack.Add(await ReceiveOpenAsync(msgpack, server.Token));
        }

        Instrument halted = server.Host.Composition.Catalog.Instruments.Single(i => i.Symbol == "SYM0001");
        server.Host.Composition.Router.OnStatus(halted, FeedState.Halted, MarketClient.NowMicros());
        foreach ((MarketClient client, List<Received> into) in new[] { (json, fromJson), (msgpack, fromMessagePack) })
        {
            into.Add(await client.ReceiveTypeAsync("status", server.Token, into));
        }

        foreach ((MarketClient client, List<Received> into) in new[] { (json, fromJson), (msgpack, fromMessagePack) })
        {
            await client.SendAsync("""{"op":"unsubscribe","id":5,"symbols":["SYM0001"]}""", server.Token);
            into.Add(await client.ReceiveTypeAsync("unsubscribed", server.Token));
        }

        // One message of each type, the same event on both connections.
        var pairs = new List<(string Type, Received Json, Received MessagePack)>();
        foreach (string type in s_types)
        {
            if (type is "quote" or "trade" or "book")
            {
                Received live = fromJson.First(j => j.Type == type && !j.IsSnapshot
                    && fromMessagePack.Any(m => m.Type == type && m.Seq == j.Seq && !m.IsSnapshot));
                pairs.Add((type, live, fromMessagePack.First(m => m.Type == type && m.Seq == live.Seq && !m.IsSnapshot)));
            }
            else
            {
                pairs.Add((type, fromJson.First(j => j.Type == type), fromMessagePack.First(m => m.Type == type)));
            }
        }

        List<JsonElement> byPython = Decode(python, ["-c", PythonScript], pairs.Select(p => p.MessagePack.Raw));
        List<JsonElement> byNode = Decode("node", ["-e", NodeScript, msgpackPackage], pairs.Select(p => p.MessagePack.Raw));
        List<JsonElement> byMessagePackCSharp = [.. pairs.Select(p => MessagePackCSharpJson.Decode(p.MessagePack.Raw))];

        for (int i = 0; i < pairs.Count; i++)
        {
            (string type, Received jsonMessage, _) = pairs[i];
            JsonElement expected = Normalize(type, jsonMessage.Message);
            output.WriteLine($"{type}: {Encoding.UTF8.GetString(jsonMessage.Raw)}");
            AssertSameMessage(expected, Normalize(type, byPython[i]), $"python {type}");
            AssertSameMessage(expected, Normalize(type, byNode[i]), $"node {type}");
            AssertSameMessage(expected, Normalize(type, byMessagePackCSharp[i]), $"MessagePack-CSharp {type}");
            AssertMessagePackNumberTypes(byPython[i], type, type);
            AssertMessagePackNumberTypes(byMessagePackCSharp[i], type, $"MessagePack-CSharp {type}");
        }

        // Every message the MessagePack connection got, not only the pairs: MessagePack-CSharp reads what the test's
        // own decoder (MessagePackJson, behind Received.Message) read.
        Assert.True(fromMessagePack.Count > pairs.Count, $"{fromMessagePack.Count} MessagePack messages for {pairs.Count} types");
        for (int i = 0; i < fromMessagePack.Count; i++)
        {
            Received received = fromMessagePack[i];
            JsonElement decoded = MessagePackCSharpJson.Decode(received.Raw);
            AssertSameMessage(received.Message, decoded, $"MessagePack-CSharp message {i} ({received.Type})");
            AssertMessagePackNumberTypes(decoded, received.Type, $"MessagePack-CSharp {received.Type}");
        }

        Assert.Equal("msgpack", byPython[0].GetProperty("encoding").GetString());
        Assert.Equal("msgpack", byMessagePackCSharp[0].GetProperty("encoding").GetString());
        Assert.Equal("json", pairs[0].Json.Message.GetProperty("encoding").GetString());
    }

    private static bool HasRepliesAndSharedLiveUpdates(List<Received> fromJson, List<Received> fromMessagePack)
    {
        string[] replies = ["symbols", "subscribed", "pong", "error"];
        if (!replies.All(r => fromJson.Any(m => m.Type == r) && fromMessagePack.Any(m => m.Type == r)))
        {
            return false;
        }

        foreach (string type in (string[])["quote", "trade", "book"])
        {
            var seqs = fromMessagePack.Where(m => m.Type == type && !m.IsSnapshot).Select(m => m.Seq).ToHashSet();
            if (!fromJson.Any(j => j.Type == type && !j.IsSnapshot && seqs.Contains(j.Seq)))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<Received> ReceiveOpenAsync(MarketClient client, CancellationToken cancellationToken) =>
        await client.ReceiveAsync(cancellationToken)
        ?? throw new Xunit.Sdk.XunitException($"the server closed the connection ({(int?)client.Socket.CloseStatus} {client.Socket.CloseStatusDescription})");

    private static string Describe(List<Received> messages) =>
        string.Join(',', messages.GroupBy(m => m.Type).Select(g => $"{g.Key}×{g.Count()}"));

    /// <summary>Fields that legitimately differ between two connections: their session id and encoding, and the time a reply was made.</summary>
    private static JsonElement Normalize(string type, JsonElement message)
    {
        string[] drop = type switch
        {
            "welcome" => ["session", "encoding"],
            "heartbeat" or "pong" => ["ts"],
            _ => [],
        };
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (JsonProperty property in message.EnumerateObject())
            {
                if (!drop.Contains(property.Name))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static void AssertSameMessage(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {actual.ValueKind} where JSON has {expected.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                string[] expectedKeys = [.. expected.EnumerateObject().Select(p => p.Name)];
                string[] actualKeys = [.. actual.EnumerateObject().Select(p => p.Name)];
                Assert.True(expectedKeys.SequenceEqual(actualKeys), $"{path}: keys [{string.Join(',', actualKeys)}], JSON has [{string.Join(',', expectedKeys)}]");
                foreach (string key in expectedKeys)
                {
                    AssertSameMessage(expected.GetProperty(key), actual.GetProperty(key), $"{path}.{key}");
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: {actual.GetArrayLength()} items, JSON has {expected.GetArrayLength()}");
                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertSameMessage(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.Number:
                Assert.True(expected.GetDecimal() == actual.GetDecimal(), $"{path}: {actual.GetRawText()}, JSON has {expected.GetRawText()}");
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
        }
    }

    /// <summary>PROTOCOL.md: "In MessagePack, integers are MessagePack integers and prices are float64" (Python tells them apart).</summary>
    private static void AssertMessagePackNumberTypes(JsonElement value, string key, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    AssertMessagePackNumberTypes(property.Value, property.Name, $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array when key is "bids" or "asks":
                foreach (JsonElement level in value.EnumerateArray())
                {
                    AssertMessagePackNumberTypes(level[0], "price", $"{path}[price]");
                    AssertMessagePackNumberTypes(level[1], "size", $"{path}[size]");
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in value.EnumerateArray())
                {
                    AssertMessagePackNumberTypes(item, key, path);
                }

                break;
            case JsonValueKind.Number:
                bool isFloat = value.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0;
                bool isPrice = key is "bid" or "ask" or "price";
                Assert.True(isFloat == isPrice, $"{path} = {value.GetRawText()}: expected {(isPrice ? "a float64" : "an integer")}");
                break;
        }
    }

    private List<JsonElement> Decode(string program, string[] arguments, IEnumerable<byte[]> messages)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONPATH"] = null;
        start.Environment["PYTHONHOME"] = null;
        using Process process = Process.Start(start) ?? throw new Xunit.Sdk.XunitException($"{program} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(string.Join('\n', messages.Select(Convert.ToHexString)) + "\n");
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{program} did not finish within 60 s");
        }

        Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {stderr.Result}");
        output.WriteLine($"{program}: {stdout.Result.Split('\n')[0]}");
        return [.. stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPush.sln")))
            {
                return dir.FullName;
            }
        }

        throw new Xunit.Sdk.XunitException($"MarketPush.sln not found above {AppContext.BaseDirectory}");
    }
}
