using System.Text.Json.Serialization;

namespace MarketPush.Server.Admin;

/// <summary>
/// System.Text.Json source generation for the admin API's bodies: serializers built at compile time, so the endpoints
/// need no reflection (the host uses CreateSlimBuilder and stays trimming-friendly) and never depend on whatever
/// global JSON options the host configures. camelCase, like the wire protocol.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(SessionListResponse))]
[JsonSerializable(typeof(TopSymbolsResponse))]
[JsonSerializable(typeof(DisconnectResponse))]
internal sealed partial class AdminJsonContext : JsonSerializerContext
{
}
