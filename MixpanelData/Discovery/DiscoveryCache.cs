namespace MixpanelData.Discovery;

/// <summary>
/// Answers kept for a while, one per key. Callers asking for the same key while it loads share the one
/// request; the request is cancelled only when every caller waiting for it has given up. Failures are
/// not kept: the next caller tries again.
/// </summary>
internal sealed class DiscoveryCache(TimeProvider time, TimeSpan duration)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<T> GetAsync<T>(string key, Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Entry entry;
        var start = false;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out entry!) || !entry.CanJoin(time.GetUtcNow()))
            {
                entry = new Entry();
                _entries[key] = entry;
                start = true;
            }

            entry.Waiters++;
        }

        if (start)
        {
            _ = LoadAsync(key, entry, load);
        }

        try
        {
            return (T)await entry.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Leave(key, entry);
        }
    }

    /// <summary>The kept answer for <paramref name="key"/>, if there is a fresh one; never starts a request.</summary>
    public bool TryPeek<T>(string key, out T value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.Succeeded && entry.Completion.Task.IsCompletedSuccessfully && time.GetUtcNow() < entry.ExpiresAt)
            {
                value = (T)entry.Completion.Task.Result;
                return true;
            }
        }

        value = default!;
        return false;
    }

    /// <summary>Forgets every kept answer. Requests under way still answer the callers waiting for them.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    private async Task LoadAsync<T>(string key, Entry entry, Func<CancellationToken, Task<T>> load)
    {
        try
        {
            var value = await load(entry.Cancellation.Token).ConfigureAwait(false);
            lock (_lock)
            {
                entry.Succeeded = true;
                entry.Done = true;
                entry.ExpiresAt = time.GetUtcNow() + duration;
            }

            entry.Completion.SetResult(value!);
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                entry.Done = true;
                if (_entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
                {
                    _entries.Remove(key);
                }
            }

            if (ex is OperationCanceledException && entry.Cancellation.IsCancellationRequested)
            {
                entry.Completion.SetCanceled(entry.Cancellation.Token);
            }
            else
            {
                entry.Completion.SetException(ex);
            }
        }
    }

    private void Leave(string key, Entry entry)
    {
        var abandon = false;
        lock (_lock)
        {
            entry.Waiters--;
            if (entry.Waiters == 0 && !entry.Done)
            {
                // Nobody wants the answer any more: stop the request rather than spend it.
                abandon = true;
                entry.Abandoned = true;
                if (_entries.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
                {
                    _entries.Remove(key);
                }
            }
        }

        if (abandon)
        {
            entry.Cancellation.Cancel();
        }
    }

    private sealed class Entry
    {
        public TaskCompletionSource<object> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Never disposed: it has no timer, and cancelling it must stay possible while the load finishes.
        public CancellationTokenSource Cancellation { get; } = new();

        public int Waiters { get; set; }

        public bool Done { get; set; }

        public bool Succeeded { get; set; }

        public bool Abandoned { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }

        public bool CanJoin(DateTimeOffset now) => Done ? Succeeded && now < ExpiresAt : !Abandoned;
    }
}
