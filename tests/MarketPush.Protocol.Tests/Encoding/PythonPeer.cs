using System.Diagnostics;

namespace MarketPush.Protocol.Tests.Encodings;

/// <summary>
/// Runs Debian's /usr/bin/python3 (with python3-msgpack, installed by run-all.sh) as an independent reference
/// implementation: one process per test, a script on the command line, cases on stdin, verdicts on stdout.
/// Never the pyenv python3 on PATH, which has no msgpack.
/// </summary>
internal static class PythonPeer
{
    public const string Executable = "/usr/bin/python3";

    public const string MissingMessage = "needs /usr/bin/python3 with python3-msgpack (apt-get install python3-msgpack; run-all.sh installs it)";

    private static readonly Lazy<bool> s_hasMsgpack = new(() =>
    {
        try
        {
            return File.Exists(Executable) && Run("import msgpack, zlib; print('ok')", string.Empty).Trim() == "ok";
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    });

    public static bool HasMsgpack => s_hasMsgpack.Value;

    /// <summary>Runs <paramref name="script"/> with <paramref name="input"/> on stdin; returns stdout, throws on a non-zero exit or after 60 s.</summary>
    public static string Run(string script, string input)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("python3 did not finish within 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"python3 exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }
}

/// <summary>A fact that is skipped, saying why, when the Python reference peer is not installed.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (!PythonPeer.HasMsgpack)
        {
            Skip = PythonPeer.MissingMessage;
        }
    }
}
