namespace MarketPush.LoadGen.Reports;

/// <summary>One goal of issue 6 checked against the medians: Met is null when the runs needed were not there.</summary>
public sealed record GoalCheck(string Goal, string Target, string Measured, bool? Met);
