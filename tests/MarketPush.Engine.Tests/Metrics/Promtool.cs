using System.Diagnostics;
using System.Text;
using Xunit.Sdk;

namespace MarketPush.Engine.Tests.Metrics;

// Runs the real promtool (Debian package 'prometheus'; tests/run-all.sh installs it). A missing promtool fails the
// test with the command that fixes it rather than skipping: these checks are what proves the exposition valid.
internal static class Promtool
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public static string Executable
    {
        get
        {
            const string Debian = "/usr/bin/promtool";
            if (File.Exists(Debian))
            {
                return Debian;
            }

            foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
            {
                string candidate = Path.Combine(dir, "promtool");
                if (dir.Length > 0 && File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new XunitException("promtool not found: install Debian package 'prometheus' (tests/run-all.sh does).");
        }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string? stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new XunitException("promtool did not start");
        using var timeout = new CancellationTokenSource(s_timeout);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), timeout.Token);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"promtool {string.Join(' ', arguments)} did not finish within {s_timeout.TotalSeconds} s");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
