using Xunit.Sdk;

namespace MarketPush.PeerTests;

// Where the peers live on this machine. tests/run-all.sh installs all of them (Debian packages, and the node
// packages into tests/peers/node/node_modules); a missing one fails the test with the command that fixes it.
internal static class PeerEnvironment
{
    // Debian's interpreter: python3-websockets / python3-websocket are installed for it, not for the pyenv
    // python3 that may come first on PATH.
    public const string DebianPython = "/usr/bin/python3";
    public const string Chromium = "/usr/bin/chromium";

    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    public static string RepoRoot => s_repoRoot.Value;

    // The peer scripts are copied next to the test assembly (see the csproj).
    public static string PeerScript(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "peers", fileName);
        if (!File.Exists(path))
        {
            throw new XunitException($"peer script missing from the test output: {path}");
        }

        return path;
    }

    public static string NodeModules
    {
        get
        {
            var path = Path.Combine(RepoRoot, "tests", "peers", "node", "node_modules");
            if (!File.Exists(Path.Combine(path, "ws", "package.json")))
            {
                throw new XunitException($"node 'ws' is not installed in {path}: run tests/run-all.sh (or `npm ci` in tests/peers/node).");
            }

            return path;
        }
    }

    public static void RequireFile(string path, string package)
    {
        if (!File.Exists(path))
        {
            throw new XunitException($"{path} not found: install Debian package '{package}' (tests/run-all.sh does).");
        }
    }

    // Environment for /usr/bin/python3: drop variables a pyenv or virtualenv shell may set, which would point
    // Debian's interpreter at another installation's modules.
    public static Dictionary<string, string?> PythonEnvironment() => new()
    {
        ["PYTHONPATH"] = null,
        ["PYTHONHOME"] = null,
        ["PYTHONSTARTUP"] = null,
        ["PYTHONUNBUFFERED"] = "1",
        ["PYTHONIOENCODING"] = "utf-8",
    };

    private static string FindRepoRoot()
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
