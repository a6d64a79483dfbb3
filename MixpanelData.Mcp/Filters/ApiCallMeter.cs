using MixpanelData.Http;

namespace MixpanelData.Mcp.Filters;

/// <summary>
/// Counts the Mixpanel requests a piece of work sends. The workspace reports every request to <see cref="Record"/>;
/// each open <see cref="Scope"/> on the current async flow (a tool call, a smart tool's sub-analysis) hears about it,
/// so the audit line and the smart tools' stated costs are measured, not claimed.
/// </summary>
internal static class ApiCallMeter
{
    private static readonly AsyncLocal<Scope?> Current = new();

    /// <summary>For <see cref="WorkspaceOptions.OnApiCall"/>: adds the request to every open scope of this flow.</summary>
    public static void Record(ApiCallSent call)
    {
        for (var scope = Current.Value; scope is not null; scope = scope.Parent)
        {
            scope.Add(call);
        }
    }

    /// <summary>Opens a scope that counts until disposed; scopes nest.</summary>
    public static Scope Begin()
    {
        var scope = new Scope(Current.Value);
        Current.Value = scope;
        return scope;
    }

    /// <summary>Requests seen while the scope was open, per API family.</summary>
    internal sealed class Scope : IDisposable
    {
        private int _query;
        private int _queryUncounted;
        private int _export;
        private int _app;

        internal Scope(Scope? parent) => Parent = parent;

        internal Scope? Parent { get; }

        /// <summary>Query API requests that count against the hourly budget.</summary>
        public int Query => Volatile.Read(ref _query);

        /// <summary>Query API requests Mixpanel does not count (e.g. further engage pages).</summary>
        public int QueryUncounted => Volatile.Read(ref _queryUncounted);

        public int Export => Volatile.Read(ref _export);

        public int App => Volatile.Read(ref _app);

        public int Total => Query + QueryUncounted + Export + App;

        internal void Add(ApiCallSent call)
        {
            switch (call.Family)
            {
                case ApiFamily.Query when call.Counted:
                    Interlocked.Increment(ref _query);
                    break;
                case ApiFamily.Query:
                    Interlocked.Increment(ref _queryUncounted);
                    break;
                case ApiFamily.Export:
                    Interlocked.Increment(ref _export);
                    break;
                default:
                    Interlocked.Increment(ref _app);
                    break;
            }
        }

        public void Dispose()
        {
            if (Current.Value == this)
            {
                Current.Value = Parent;
            }
        }
    }
}
