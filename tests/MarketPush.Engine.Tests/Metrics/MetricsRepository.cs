using Xunit.Sdk;

namespace MarketPush.Engine.Tests.Metrics;

// Where dashboards/ lives: found from the test assembly upwards, so the tests read the files CI ships, not copies.
internal static class MetricsRepository
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Dashboards => Path.Combine(s_root.Value, "dashboards");

    public static string DashboardFile(string name)
    {
        string path = Path.Combine(Dashboards, name);
        if (!File.Exists(path))
        {
            throw new XunitException($"{path} is missing.");
        }

        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPush.sln")))
            {
                return dir.FullName;
            }
        }

        throw new XunitException($"MarketPush.sln not found above {AppContext.BaseDirectory}");
    }
}
