using MixpanelData.Configuration;

namespace MixpanelData.Mcp.Hosting;

/// <summary>
/// The workspace the server serves right now. <c>switch_account</c> replaces it without a restart: calls already
/// running finish on the old one, which is disposed once the switch is done.
/// </summary>
internal sealed class WorkspaceHolder : IAsyncDisposable
{
    private readonly Func<string, Workspace> _open;
    private readonly SemaphoreSlim _switching = new(1, 1);
    private Workspace _current;

    public WorkspaceHolder(Workspace initial, Func<string, Workspace> open)
    {
        _current = initial;
        _open = open;
    }

    public Workspace Current => Volatile.Read(ref _current);

    /// <summary>Opens <paramref name="account"/> and makes it current; the previous workspace is disposed.</summary>
    /// <exception cref="ConfigurationException">The account does not exist or is invalid.</exception>
    public async Task<Workspace> SwitchAsync(string account, CancellationToken cancellationToken)
    {
        await _switching.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var next = _open(account);
            var previous = Interlocked.Exchange(ref _current, next);
            await previous.DisposeAsync().ConfigureAwait(false);
            return next;
        }
        finally
        {
            _switching.Release();
        }
    }

    public static AccountResolver Resolver() => new();

    public async ValueTask DisposeAsync()
    {
        await Current.DisposeAsync().ConfigureAwait(false);
        _switching.Dispose();
    }
}
