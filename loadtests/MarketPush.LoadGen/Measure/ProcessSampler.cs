using System.Diagnostics;
using System.Globalization;
using MarketPush.LoadGen.Net;

namespace MarketPush.LoadGen.Measure;

/// <summary>
/// Reads a process's CPU time (utime + stime of /proc/PID/stat, all threads, clock-tick resolution: 10 ms at the usual
/// 100 Hz, well under 1% of a measurement window) and VmRSS (/proc/PID/status). Used by the control thread for the
/// server (<c>--server-pid</c>) and for the runner itself; a few file reads per second, off the hot path.
/// </summary>
internal sealed class ProcessSampler
{
    private static readonly double s_ticksPerSecond = ReadClockTicks();

    public ProcessSampler(int pid)
    {
        Pid = pid;
    }

    public int Pid { get; }

    /// <summary>A sample, or null when the process is gone or /proc is not readable (the report then says so).</summary>
    public ProcessSample? TrySample()
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/stat");
            string status = File.ReadAllText($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/status");
            return new ProcessSample(Stopwatch.GetTimestamp(), ParseCpuSeconds(stat, s_ticksPerSecond), ParseRssBytes(status));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>utime + stime in seconds from the text of /proc/PID/stat (the command name may contain spaces and parentheses).</summary>
    internal static double ParseCpuSeconds(string stat, double ticksPerSecond)
    {
        ArgumentNullException.ThrowIfNull(stat);
        int close = stat.LastIndexOf(')');
        string[] fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // After "pid (comm) " the fields are numbered from 3 (state); utime is field 14 and stime field 15.
        long utime = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture);
        long stime = long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return (utime + stime) / ticksPerSecond;
    }

    /// <summary>VmRSS in bytes from the text of /proc/PID/status; 0 when absent (a zombie).</summary>
    internal static long ParseRssBytes(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        foreach (string line in status.Split('\n'))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string[] parts = line[6..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static double ReadClockTicks()
    {
        long ticks = Libc.SysConf(Libc.ScClkTck);
        return ticks > 0 ? ticks : 100;
    }
}
