using System.Net;

namespace MixpanelData.Emulation;

/// <summary>A kind of failure the emulator can be told to produce.</summary>
public enum EmulatorFaultKind
{
    /// <summary>429 with a <c>Retry-After</c> header.</summary>
    RateLimited,

    /// <summary>A 5xx status with an <c>error</c> body.</summary>
    ServerError,

    /// <summary>Answer normally, after a delay.</summary>
    Delay,

    /// <summary>Export: stream some lines, then break the connection.</summary>
    DropConnection,

    /// <summary>Export: stream some lines, then end with the line <c>terminated early</c>.</summary>
    TerminatedEarly,

    /// <summary>Export: put a malformed line into the stream after some lines.</summary>
    MalformedLine,
}

/// <summary>One planned failure.</summary>
/// <param name="Kind">What happens.</param>
public sealed record EmulatorFault(EmulatorFaultKind Kind)
{
    /// <summary>Only requests whose path contains this text are affected (e.g. <c>/export</c>); null for any.</summary>
    public string? PathContains { get; init; }

    /// <summary>Only requests whose query string contains this text are affected (e.g. <c>from_date=2026-03-04</c>); null for any.</summary>
    public string? QueryContains { get; init; }

    /// <summary>How many matching requests it affects. Default 1.</summary>
    public int Times { get; init; } = 1;

    /// <summary>The <c>Retry-After</c> of a <see cref="EmulatorFaultKind.RateLimited"/> answer. Default 1 s.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The status of a <see cref="EmulatorFaultKind.ServerError"/>. Default 503.</summary>
    public HttpStatusCode Status { get; init; } = HttpStatusCode.ServiceUnavailable;

    /// <summary>The delay of a <see cref="EmulatorFaultKind.Delay"/>.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>For stream faults: how many good lines come first. Default 10.</summary>
    public int AfterLines { get; init; } = 10;
}

/// <summary>The failures planned for coming requests, consumed first come, first served. Thread-safe.</summary>
public sealed class EmulatorFaults
{
    private readonly Lock _lock = new();
    private readonly List<(EmulatorFault Fault, int Left)> _planned = [];

    /// <summary>Plans a fault.</summary>
    public void Add(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Times, 1);
        lock (_lock)
        {
            _planned.Add((fault, fault.Times));
        }
    }

    /// <summary>Forgets every planned fault.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _planned.Clear();
        }
    }

    /// <summary>How many planned fault occurrences are left.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _planned.Sum(p => p.Left);
            }
        }
    }

    internal EmulatorFault? Take(string path, string query = "")
    {
        lock (_lock)
        {
            for (var i = 0; i < _planned.Count; i++)
            {
                var (fault, left) = _planned[i];
                if ((fault.PathContains is null || path.Contains(fault.PathContains, StringComparison.Ordinal))
                    && (fault.QueryContains is null || query.Contains(fault.QueryContains, StringComparison.Ordinal)))
                {
                    if (left <= 1)
                    {
                        _planned.RemoveAt(i);
                    }
                    else
                    {
                        _planned[i] = (fault, left - 1);
                    }

                    return fault;
                }
            }

            return null;
        }
    }
}
