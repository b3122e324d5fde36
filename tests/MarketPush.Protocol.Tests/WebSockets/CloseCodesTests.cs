using MarketPush.Protocol.WebSockets;

namespace MarketPush.Protocol.Tests.WebSockets;

public class CloseCodesTests
{
    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1008)]
    [InlineData(1009)]
    [InlineData(1010)]
    [InlineData(1011)]
    [InlineData(1012)]
    [InlineData(1013)]
    [InlineData(1014)]
    [InlineData(3000)]
    [InlineData(3999)]
    [InlineData(4000)]
    [InlineData(4001)]
    [InlineData(4002)]
    [InlineData(4999)]
    public void IsValidInCloseFrame_AcceptsAssignedAndPrivateCodes(int code) =>
        Assert.True(CloseCodes.IsValidInCloseFrame((ushort)code));

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(1100)]
    [InlineData(2000)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void IsValidInCloseFrame_RejectsReservedAndUnassignedCodes(int code) =>
        Assert.False(CloseCodes.IsValidInCloseFrame((ushort)code));
}
