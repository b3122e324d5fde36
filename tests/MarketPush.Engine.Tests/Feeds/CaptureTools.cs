using System.Diagnostics;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary>Runs the real <c>lz4</c> command and Debian's python3 (with python3-lz4) for the two-way compatibility tests.</summary>
internal static class CaptureTools
{
    public const string Python = "/usr/bin/python3";
    public const string Lz4 = "lz4";

    /// <summary>Runs a tool to completion (30 s cap) and returns its exit code, stdout bytes and stderr text.</summary>
    public static async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await copy;
            return (process.ExitCode, stdout.ToArray(), await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in 30 s");
        }
    }

    /// <summary>Runs a python snippet (argv[1..] = <paramref name="arguments"/>) and fails the test on a non-zero exit.</summary>
    public static async Task<byte[]> PythonAsync(string script, params string[] arguments)
    {
        (int code, byte[] stdout, string stderr) = await RunAsync(Python, ["-c", script, .. arguments]);
        Assert.True(code == 0, $"python failed ({code}): {stderr}");
        return stdout;
    }

    public static async Task<byte[]> Lz4CommandAsync(params string[] arguments)
    {
        (int code, byte[] stdout, string stderr) = await RunAsync(Lz4, arguments);
        Assert.True(code == 0, $"lz4 {string.Join(' ', arguments)} failed ({code}): {stderr}");
        return stdout;
    }

    /// <summary>A temp directory removed on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "marketpush-capture-" + Guid.NewGuid().ToString("N"));

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
