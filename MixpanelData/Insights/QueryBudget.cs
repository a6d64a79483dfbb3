
namespace MixpanelData.Insights;

/// <summary>One sub-query a smart tool ran (or skipped): what for, what it really spent, and how it ended.</summary>
/// <param name="Purpose">Why the tool ran it, e.g. "Sign Up by $browser, drop window".</param>
/// <param name="QueryCalls">Query API requests it sent that count against the hourly budget (measured).</param>
/// <param name="Outcome"><c>ok</c>, <c>failed</c> or <c>skipped</c>.</param>
/// <param name="Error">For failed or skipped sub-queries, the reason.</param>
public sealed record SubQuery(string Purpose, int QueryCalls, string Outcome, string? Error);

/// <summary>The Query API budget of one insight: its limit, what was really spent, and every sub-query.</summary>
/// <param name="Limit">The most Query API calls the insight could send.</param>
/// <param name="Spent">Query API calls it sent (measured).</param>
/// <param name="Queries">Each sub-query, in the order it ended.</param>
public sealed record QuerySpend(int Limit, int Spent, IReadOnlyList<SubQuery> Queries);

/// <summary>What a sub-query returned: a value, or the error that stopped it. Failures are reported, never turned into zeros.</summary>
/// <param name="Value">The value, when it ran.</param>
/// <param name="Error">Why it failed or was skipped.</param>
public readonly record struct Outcome<T>(T? Value, string? Error)
{
    /// <summary>Whether it ran.</summary>
    public bool Ok => Error is null;

    /// <summary>The exception behind <see cref="Error"/>, so a tool can rethrow failures that end the whole call (e.g. an unknown event).</summary>
    public Exception? Failure { get; init; }

    /// <summary>The value, or the failure rethrown (unknown event, bad argument, API error) for a sub-query the whole insight depends on.</summary>
    public T Require(string what)
    {
        if (Ok)
        {
            return Value!;
        }

        if (Failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        throw new ArgumentException($"{what} could not be run: {Error} Raise budget or narrow the request.");
    }
}

/// <summary>
/// The Query API budget of one smart-tool call. Each sub-query states its expected cost up front; a sub-query that
/// would take the total over the limit is skipped (and reported as skipped), and what each one really sent is
/// measured through <see cref="ApiCallMeter"/>, so the report's figures are the calls Mixpanel actually received.
/// </summary>
/// <param name="limit">The most Query API calls the whole tool call may send.</param>
/// <param name="alreadySpent">Calls already sent by earlier rounds of the same tool call (input-required retries).</param>
public sealed class QueryBudget(int limit, int alreadySpent = 0)
{
    private readonly Lock _gate = new();
    private readonly List<SubQuery> _log = [];
    private int _reserved = alreadySpent;
    private int _spent = alreadySpent;

    /// <summary>The most Query API calls the whole call may send.</summary>
    public int Limit { get; } = limit;

    /// <summary>Query API requests really sent so far.</summary>
    public int Spent { get { lock (_gate) { return _spent; } } }

    /// <summary>Every sub-query so far.</summary>
    public IReadOnlyList<SubQuery> Log { get { lock (_gate) { return [.. _log]; } } }

    /// <summary>Sub-queries that failed or were skipped.</summary>
    public IEnumerable<SubQuery> Failures => Log.Where(q => q.Outcome != "ok");

    /// <summary>Runs <paramref name="call"/> if <paramref name="cost"/> more calls fit in the budget; otherwise records it as skipped.</summary>
    public async Task<Outcome<T>> RunAsync<T>(string purpose, int cost, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_reserved + cost > Limit)
            {
                var reason = $"skipped: it would take the Query API spend over this call's budget of {Limit}";
                _log.Add(new SubQuery(purpose, 0, "skipped", reason));
                return new Outcome<T>(default, reason);
            }

            _reserved += cost;
        }

        using var meter = ApiCallMeter.Begin();
        try
        {
            var value = await call(cancellationToken).ConfigureAwait(false);
            Settle(purpose, cost, meter.Query, "ok", null);
            return new Outcome<T>(value, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Settle(purpose, cost, meter.Query, "failed", "cancelled");
            throw;
        }
        catch (Exception ex) when (ex is MixpanelException or ArgumentException or InvalidOperationException or TimeoutException)
        {
            Settle(purpose, cost, meter.Query, "failed", ex.Message);
            return new Outcome<T>(default, ex.Message) { Failure = ex };
        }
    }

    /// <summary>The budget, the measured spend and every sub-query.</summary>
    public QuerySpend Report() => new(Limit, Spent, Log);

    private void Settle(string purpose, int cost, int sent, string outcome, string? error)
    {
        lock (_gate)
        {
            _reserved += sent - cost;
            _spent += sent;
            _log.Add(new SubQuery(purpose, sent, outcome, error));
        }
    }
}
