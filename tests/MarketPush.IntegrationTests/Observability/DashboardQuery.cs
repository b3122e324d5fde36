namespace MarketPush.IntegrationTests.Observability;

/// <summary>
/// One query of one Grafana panel: where it is (row, panel title, refId), the expression as stored in the dashboard
/// and the PromQL Grafana would send (<see cref="GrafanaDashboard.Substitute"/>).
/// </summary>
internal sealed record DashboardQuery(string Row, string PanelTitle, string RefId, string Expr, string PromQl)
{
    public override string ToString() => $"[{Row}] {PanelTitle} ({RefId}): {Expr}";
}
