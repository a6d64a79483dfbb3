using System.Buffers;
using System.Collections.Concurrent;

namespace MixpanelData.Fetching;

/// <summary>
/// Export windows downloaded ahead of the one being loaded, each into a spool file, so the export keeps arriving while
/// DuckDB loads: the fetch asks for the next windows when it starts loading one, and loads them from disk in order.
/// <para>
/// Each download runs under the window retry (<see cref="FetchSettings.RunWindowAsync{T}"/>): a stream that breaks off,
/// stalls or ends with <c>terminated early</c> is requested again, alone, and its file starts over. The export request
/// itself queues for the client-side limits like any other (concurrency, per second, rolling hour). Memory holds one read
/// buffer per download; the windows themselves wait on disk. Disposing cancels the downloads still running, waits for
/// them and deletes every file.
/// </para>
/// </summary>
internal sealed class WindowDownloads : IAsyncDisposable
{
    // The end of a stream is read back this far to find Mixpanel's "terminated early" line.
    private const int TailBytes = 64;

    private readonly Func<ExportWindow, CancellationToken, Task<Stream>> _open;
    private readonly FetchSettings _settings;
    private readonly Func<string> _newFile;
    private readonly Action _retried;
    private readonly CancellationTokenSource _stop;
    private readonly Dictionary<ExportWindow, Task<string>> _running = [];
    private readonly ConcurrentBag<string> _files = [];

    /// <param name="open">Sends one window's export request and returns its (decompressed) body.</param>
    /// <param name="settings">The window retry and the idle timeout.</param>
    /// <param name="newFile">A fresh spool file path.</param>
    /// <param name="retried">Told of each new attempt at a window (from the download's own thread).</param>
    /// <param name="cancellationToken">The fetch's token.</param>
    public WindowDownloads(Func<ExportWindow, CancellationToken, Task<Stream>> open, FetchSettings settings, Func<string> newFile, Action retried, CancellationToken cancellationToken)
    {
        _open = open;
        _settings = settings;
        _newFile = newFile;
        _retried = retried;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Whether <paramref name="window"/> is being (or has been) downloaded and not yet taken.</summary>
    public bool Has(ExportWindow window) => _running.ContainsKey(window);

    /// <summary>Whether <paramref name="window"/>'s download has finished successfully and its file is waiting to be taken.</summary>
    public bool IsReady(ExportWindow window) => _running.TryGetValue(window, out var download) && download.IsCompletedSuccessfully;

    /// <summary>Starts downloading <paramref name="window"/> unless it already is.</summary>
    public void Start(ExportWindow window)
    {
        if (!_running.ContainsKey(window))
        {
            _running[window] = Task.Run(() => DownloadAsync(window, _stop.Token), CancellationToken.None);
        }
    }

    /// <summary>
    /// Waits for <paramref name="window"/>'s download and hands its file over (the caller deletes it once loaded; disposing
    /// deletes it too). A download that failed every attempt throws its error here.
    /// </summary>
    public async Task<string> TakeAsync(ExportWindow window, CancellationToken cancellationToken)
    {
        var download = _running[window];
        _running.Remove(window);
        return await download.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var download in _running.Values)
        {
            try
            {
                await download.ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or MixpanelException or IOException or HttpRequestException or InvalidDataException)
            {
                // Not needed any more: the fetch failed or was cancelled before it came to this window.
            }
        }

        _running.Clear();
        foreach (var file in _files)
        {
            Delete(file);
        }

        _stop.Dispose();
    }

    /// <summary>Deletes a spool file; a file already gone is fine.</summary>
    public static void Delete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // The store's spool folder is removed when the store closes.
        }
    }

    private async Task<string> DownloadAsync(ExportWindow window, CancellationToken cancellationToken)
    {
        var path = _newFile();
        _files.Add(path);
        return await _settings.RunWindowAsync(
            window,
            async ct =>
            {
                await CopyAsync(window, path, ct).ConfigureAwait(false);
                return path;
            },
            _retried,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task CopyAsync(ExportWindow window, string path, CancellationToken cancellationToken)
    {
        var body = await _open(window, cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            await using (body.ConfigureAwait(false))
            {
                var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
                await using (file.ConfigureAwait(false))
                {
                    var source = new IdleTimeoutStream(body, _settings.IdleTimeout, _settings.Time);
                    var tail = new byte[TailBytes];
                    var tailLength = 0;
                    int read;
                    while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        tailLength = KeepTail(tail, tailLength, buffer.AsSpan(0, read));
                    }

                    if (EndsTerminatedEarly(tail.AsSpan(0, tailLength)))
                    {
                        throw new TerminatedEarlyException(window);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The last TailBytes bytes of everything written so far.
    private static int KeepTail(byte[] tail, int length, ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= tail.Length)
        {
            chunk[^tail.Length..].CopyTo(tail);
            return tail.Length;
        }

        var keep = Math.Min(length, tail.Length - chunk.Length);
        tail.AsSpan(length - keep, keep).CopyTo(tail);
        chunk.CopyTo(tail.AsSpan(keep));
        return keep + chunk.Length;
    }

    /// <summary>Whether the stream's last line is Mixpanel's <c>terminated early</c> (the export stopped before the end).</summary>
    internal static bool EndsTerminatedEarly(ReadOnlySpan<byte> tail)
    {
        var end = tail.TrimEnd("\r\n \t"u8);
        var start = end.LastIndexOf((byte)'\n');
        return end[(start + 1)..].IndexOf("terminated early"u8) >= 0;
    }
}
