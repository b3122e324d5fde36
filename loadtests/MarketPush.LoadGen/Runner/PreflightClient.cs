using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MarketPush.LoadGen.Measure;
using MarketPush.LoadGen.Net;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets;

namespace MarketPush.LoadGen.Runner;

/// <summary>
/// One ordinary blocking connection made before the load starts: proves the server is up and speaks the protocol
/// (a clear error instead of thousands of failed connects), reads the welcome, and for the replay scenario asks the
/// <c>symbols</c> command for the symbol universe. Control thread only, bounded by a timeout; not a hot path, so it
/// parses JSON with System.Text.Json.
/// </summary>
internal static class PreflightClient
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    public static async Task<(string? ServerName, IReadOnlyList<string>? Symbols)> RunAsync(Uri url, bool askSymbols, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        CancellationToken token = timeout.Token;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, url.Port), token).ConfigureAwait(false);
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            string request = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:{url.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, token).ConfigureAwait(false);

            byte[] buffer = new byte[256 * 1024];
            int filled = 0;
            int headLength;
            while ((headLength = HandshakeResponse.FindHeadLength(buffer.AsSpan(0, filled))) < 0)
            {
                int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0 || filled + read == buffer.Length)
                {
                    throw new InvalidOperationException($"{url} closed the connection or sent no HTTP response");
                }

                filled += read;
            }

            UpgradeOutcome outcome = HandshakeResponse.Parse(buffer.AsSpan(0, headLength), WebSocketAccept.ComputeAcceptKey(key), false, out int status, out _);
            if (outcome != UpgradeOutcome.Upgraded)
            {
                throw new InvalidOperationException($"{url} refused the WebSocket upgrade (HTTP {status}, {outcome})");
            }

            using var reader = new MessageReader(new MessageReaderOptions { MaxMessageBytes = 16 << 20, ExpectMaskedFrames = false }, null);
            var pending = new ArrayBufferWriter<byte>();
            pending.Write(buffer.AsSpan(headLength, filled - headLength));
            string? serverName = null;
            bool sentSymbols = false;
            while (true)
            {
                var sequence = new ReadOnlySequence<byte>(pending.WrittenMemory);
                MessageReadStatus result;
                while ((result = reader.Read(ref sequence)) != MessageReadStatus.NeedMoreData)
                {
                    if (result is MessageReadStatus.Close or MessageReadStatus.ProtocolViolation)
                    {
                        throw new InvalidOperationException($"{url} closed the preflight connection (code {reader.CloseCode})");
                    }

                    if (result != MessageReadStatus.Message)
                    {
                        continue;
                    }

                    ServerMessageKind kind = QuoteScanner.Classify(reader.Payload);
                    if (kind == ServerMessageKind.Welcome)
                    {
                        using JsonDocument welcome = JsonDocument.Parse(reader.Payload.ToArray());
                        serverName = welcome.RootElement.TryGetProperty("server", out JsonElement name) ? name.GetString() : null;
                        if (!askSymbols)
                        {
                            await CloseAsync(socket, token).ConfigureAwait(false);
                            return (serverName, null);
                        }

                        if (!sentSymbols)
                        {
                            sentSymbols = true;
                            await SendTextAsync(socket, "{\"op\":\"symbols\",\"id\":1}"u8.ToArray(), token).ConfigureAwait(false);
                        }
                    }
                    else if (kind == ServerMessageKind.Symbols)
                    {
                        using JsonDocument reply = JsonDocument.Parse(reader.Payload.ToArray());
                        var symbols = new List<string>();
                        foreach (JsonElement item in reply.RootElement.GetProperty("symbols").EnumerateArray())
                        {
                            string? symbol = item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetProperty("symbol").GetString();
                            if (!string.IsNullOrEmpty(symbol))
                            {
                                symbols.Add(symbol);
                            }
                        }

                        await CloseAsync(socket, token).ConfigureAwait(false);
                        return (serverName, symbols);
                    }
                }

                byte[] rest = sequence.ToArray();
                pending.Clear();
                pending.Write(rest);
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new InvalidOperationException($"{url} closed the preflight connection before answering");
                }

                pending.Write(buffer.AsSpan(0, read));
            }
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"cannot connect to {url}: {ex.SocketErrorCode}", ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{url} did not answer the preflight connection within {s_timeout.TotalSeconds} s");
        }
    }

    private static async Task SendTextAsync(Socket socket, byte[] payload, CancellationToken token)
    {
        byte[] frame = new byte[FrameWriter.MaxHeaderLength + payload.Length];
        int length = FrameWriter.WriteFrame(frame, WebSocketOpcode.Text, true, false, payload, (uint)RandomNumberGenerator.GetInt32(int.MaxValue));
        await socket.SendAsync(frame.AsMemory(0, length), SocketFlags.None, token).ConfigureAwait(false);
    }

    private static async Task CloseAsync(Socket socket, CancellationToken token)
    {
        byte[] frame = new byte[FrameWriter.MaxHeaderLength + 2];
        int length = FrameWriter.WriteCloseFrame(frame, CloseCodes.NormalClosure, [], (uint)RandomNumberGenerator.GetInt32(int.MaxValue));
        await socket.SendAsync(frame.AsMemory(0, length), SocketFlags.None, token).ConfigureAwait(false);
        socket.Shutdown(SocketShutdown.Both);
    }
}
