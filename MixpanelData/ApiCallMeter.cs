using MixpanelData.Http;

namespace MixpanelData;

/// <summary>
/// Counts the Mixpanel requests a piece of work sends. Every workspace reports each request it sends (retries included)
/// to <see cref="Record"/>; each open <see cref="Scope"/> on the current async flow (an insight's sub-query, a host's
/// tool call) hears about it, so stated costs are measured, not claimed.
/// <code>
/// using var spent = ApiCallMeter.Begin();
/// await ws.Query.SegmentationAsync(query);
/// Console.WriteLine(spent.Query); // 1
/// </code>
/// </summary>
public static class ApiCallMeter
{
    private static readonly AsyncLocal<Scope?> Current = new();

    /// <summary>Adds the request to every open scope of this flow (the workspace calls it for each request it sends).</summary>
    internal static void Record(ApiCallSent call)
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
    public sealed class Scope : IDisposable
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

        /// <summary>Export API requests.</summary>
        public int Export => Volatile.Read(ref _export);

        /// <summary>App API requests (discovery, engage and the rest).</summary>
        public int App => Volatile.Read(ref _app);

        /// <summary>Every request seen.</summary>
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

        /// <summary>Closes the scope; outer scopes keep counting.</summary>
        public void Dispose()
        {
            if (Current.Value == this)
            {
                Current.Value = Parent;
            }
        }
    }
}
