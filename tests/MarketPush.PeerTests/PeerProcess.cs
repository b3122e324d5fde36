using System.Diagnostics;
using System.Text;
using Xunit.Sdk;

namespace MarketPush.PeerTests;

// A peer program (python, node, chromium) started by a test. Its stdout lines go into a PeerTranscript from the
// process's reader threads; its stderr is kept (the tail, bounded) for failure messages. Owns the OS process:
// DisposeAsync kills the whole tree if it is still running, so no test leaves a peer behind.
internal sealed class PeerProcess : IAsyncDisposable
{
    private const int StderrTailChars = 16 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _exitNote;

    private PeerProcess(Process process, PeerTranscript transcript)
    {
        _process = process;
        Transcript = transcript;
    }

    public PeerTranscript Transcript { get; }

    public bool HasExited => _process.HasExited;

    public static PeerProcess Start(
        string peerName,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        PeerTranscript? reportsElsewhere = null,
        Func<string, bool>? keepStderrLine = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    psi.Environment.Remove(key);
                }
                else
                {
                    psi.Environment[key] = value;
                }
            }
        }

        // A peer that reports through another channel (the browser POSTs its events) has only noise on stdout.
        var stdoutIsTranscript = reportsElsewhere is null;
        var transcript = reportsElsewhere ?? new PeerTranscript(peerName);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var peer = new PeerProcess(process, transcript);
        transcript.Diagnostics = peer.DescribeProcess;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                peer._stdoutClosed.TrySetResult();
                transcript.Poke();
                return;
            }

            if (stdoutIsTranscript)
            {
                transcript.AddLine(e.Data);
            }
            else
            {
                peer.AppendStderr("[stdout] " + e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && (keepStderrLine is null || keepStderrLine(e.Data)))
            {
                peer.AppendStderr(e.Data);
            }
        };
        process.Exited += (_, _) => transcript.Poke();

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new XunitException($"{peerName}: could not start '{fileName}': {ex.Message}. Run tests/run-all.sh to install the peers.");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    // Waits for the peer to exit on its own (after it saw the close) and returns its exit code.
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            // Let the stdout reader deliver the last lines before callers inspect the transcript.
            await Task.WhenAny(_stdoutClosed.Task, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            throw new XunitException($"{Transcript.PeerName}: did not exit within {timeout.TotalSeconds:0} s.\n{Transcript.Describe()}");
        }
    }

    private void AppendStderr(string line)
    {
        lock (_stderr)
        {
            _stderr.AppendLine(line);
            if (_stderr.Length > StderrTailChars * 2)
            {
                _stderr.Remove(0, _stderr.Length - StderrTailChars);
            }
        }
    }

    private string DescribeProcess()
    {
        string stderr;
        lock (_stderr)
        {
            stderr = _stderr.Length > StderrTailChars ? _stderr.ToString(_stderr.Length - StderrTailChars, StderrTailChars) : _stderr.ToString();
        }

        string state;
        try
        {
            state = _process.HasExited ? $"exited with {_process.ExitCode}" : "still running";
        }
        catch (InvalidOperationException)
        {
            // Disposed (the test already killed or reaped it); the exit code was recorded then.
            state = _exitNote ?? "gone";
        }

        return $"(process {state})\n{stderr}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone between the check and the kill.
        }
        catch (OperationCanceledException)
        {
            // Nothing more we can do; the OS reaps it when the test host exits.
        }
        finally
        {
            try
            {
                _exitNote = _process.HasExited ? $"exited with {_process.ExitCode}" : "killed, still exiting";
            }
            catch (InvalidOperationException)
            {
                _exitNote = "never started";
            }

            _process.Dispose();
        }
    }
}
