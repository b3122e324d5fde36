using MarketPush.LoadGen.Options;

namespace MarketPush.LoadGen.Tests;

public sealed class LoadSimulationTests
{
    [Fact]
    public void TargetAt_RampsLinearly_ThenKeepsConstant()
    {
        LoadSimulation load = LoadSimulation.Parse("ramp:1000:10,keep:1000:5");

        Assert.Equal(0, load.TargetAt(0));
        Assert.Equal(250, load.TargetAt(2.5));
        Assert.Equal(500, load.TargetAt(5));
        Assert.Equal(1000, load.TargetAt(10));
        Assert.Equal(1000, load.TargetAt(14.9));
        Assert.Equal(1000, load.TargetAt(100));
        Assert.Equal(15, load.TotalSeconds);
    }

    [Fact]
    public void TargetAt_RampsDown_FromThePreviousStep()
    {
        LoadSimulation load = LoadSimulation.Parse("keep:100:2,ramp:0:4,keep:50:1");

        Assert.Equal(100, load.TargetAt(1));
        Assert.Equal(50, load.TargetAt(4));
        Assert.Equal(0, load.TargetAt(5.99));
        Assert.Equal(50, load.TargetAt(6.5));
        Assert.Equal(100, load.MaxConnections);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hold:10:5")]
    [InlineData("keep:-1:5")]
    [InlineData("keep:10:0")]
    [InlineData("keep:10:4000")]
    [InlineData("keep:ten:5")]
    public void Parse_RefusesMalformedSteps(string text)
    {
        Assert.Equal("--load", Assert.Throws<LoadGenOptionsException>(() => LoadSimulation.Parse(text)).Flag);
    }

    [Fact]
    public void ToString_WritesTheStepsBackAsParsed()
    {
        Assert.Equal("ramp:10:1.5,keep:10:3", LoadSimulation.Parse("ramp:10:1.5,keep-constant:10:3").ToString());
    }
}
