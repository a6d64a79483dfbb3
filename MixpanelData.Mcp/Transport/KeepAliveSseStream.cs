using System.Text;

namespace MixpanelData.Mcp.Transport;

/// <summary>
/// Wraps an SSE response body and writes a <c>: keep-alive</c> comment whenever nothing has been written for an
/// interval, so that a tool running for many minutes without progress keeps proxies and clients (undici's body
/// timeout) from giving up on the stream. Comments go only between events, never inside one.
/// </summary>
internal sealed class KeepAliveSseStream : Stream
{
    private static readonly byte[] s_comment = Encoding.ASCII.GetBytes(": keep-alive\n\n");

    private readonly Stream _inner;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Func<bool> _mayWrite;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private long _lastWrite;
    private byte _last1 = (byte)'\n';
    private byte _last2 = (byte)'\n';

    /// <param name="inner">The response body.</param>
    /// <param name="interval">How long the stream may stay silent.</param>
    /// <param name="time">The clock.</param>
    /// <param name="mayWrite">Whether a comment may go out now (the response is an SSE stream, not a JSON error or a 202).</param>
    /// <param name="stopping">Ends the keep-alives.</param>
    public KeepAliveSseStream(Stream inner, TimeSpan interval, TimeProvider time, Func<bool> mayWrite, CancellationToken stopping)
    {
        _inner = inner;
        _interval = interval;
        _time = time;
        _mayWrite = mayWrite;
        _lastWrite = time.GetTimestamp();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _loop = KeepAliveLoopAsync(_stop.Token);
    }

    /// <summary>How many keep-alive comments were written (for diagnostics and tests).</summary>
    public int CommentsWritten { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Track(buffer.Span);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _gate.Wait();
        try
        {
            _inner.Write(buffer, offset, count);
            Track(buffer.AsSpan(offset, count));
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Stops the keep-alives; the inner stream (the response body) belongs to the server and stays open.</summary>
    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        // The gate is left undisposed: the SDK may still try a late write on a GET stream whose client left, and that
        // must fail on the dead response, not on a disposed semaphore.
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Track(ReadOnlySpan<byte> written)
    {
        if (written.Length == 0)
        {
            return;
        }

        _last2 = written.Length > 1 ? written[^2] : _last1;
        _last1 = written[^1];
        _lastWrite = _time.GetTimestamp();
    }

    // An SSE event ends with a blank line; only there may a comment go.
    private bool AtEventBoundary => _last1 == (byte)'\n' && (_last2 == (byte)'\n' || _last2 == (byte)'\r');

    private async Task KeepAliveLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (AtEventBoundary && _time.GetElapsedTime(_lastWrite) >= _interval / 2 && _mayWrite())
                    {
                        await _inner.WriteAsync(s_comment, cancellationToken).ConfigureAwait(false);
                        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
                        _lastWrite = _time.GetTimestamp();
                        CommentsWritten++;
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The response is over.
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away; the request's own handling notices and ends the response.
        }
    }
}
