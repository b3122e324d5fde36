using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MarketPush.IntegrationTests;

/// <summary>
/// The real server executable (MarketPush.Server.dll, copied beside the tests by the project reference) run as a
/// child process, so a test sees exactly what an operator's terminal or log shipper would: stdout line by line and
/// the exit code. Stopped with SIGTERM, as a container runtime stops it.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => _process = process;

    /// <summary>Every stdout line so far (a copy).</summary>
    public string[] StdoutLines
    {
        get
        {
            lock (_stdout)
            {
                return [.. _stdout];
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    public static ServerProcess Start(params string[] arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MarketPush.Server.dll");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing from the test run's environment may change the server's logging.
        start.Environment.Remove("Logging__Console__FormatterName");
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = start };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                server._stdoutClosed.TrySetResult();
                return;
            }

            lock (server._stdout)
            {
                server._stdout.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (server._stderr)
                {
                    server._stderr.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Waits until some stdout line satisfies <paramref name="match"/>; fails with what was seen if the process exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            string? line = StdoutLines.FirstOrDefault(match);
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"The server exited with {_process.ExitCode} first.\nstdout:\n{string.Join('\n', StdoutLines)}\nstderr:\n{Stderr}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>SIGTERM, then waits for the exit and the end of stdout; returns the exit code.</summary>
    public async Task<int> StopAsync(CancellationToken cancellationToken)
    {
        if (!_process.HasExited)
        {
            Assert.Equal(0, Kill(_process.Id, SigTerm));
        }

        await _process.WaitForExitAsync(cancellationToken);
        await _stdoutClosed.Task.WaitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }

        _process.Dispose();
    }

    private static string DotnetHost()
    {
        // Set by the dotnet CLI for the processes it starts (the test host among them).
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
