using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using MixpanelData.Storage;

namespace MixpanelData.Fetching;

/// <summary>
/// Reads an export range window by window (one request per window of <see cref="ExportPlan.WindowDays"/> days) and
/// hands out events in batches, never holding more than a read buffer and one batch ahead. A window is read under
/// <see cref="FetchSettings.RunWindowAsync"/> (the Http core's retry): when its stream breaks off or ends with
/// <c>terminated early</c>, that window alone is requested again and the lines already handed out are read past, not
/// handed out twice; their hashes must match what was handed out, or the stream fails rather than risk duplicates or gaps.
/// </summary>
/// <param name="openWindow">Opens the export body of one window (with the events still allowed by the limit, if any).</param>
/// <param name="plan">The range, filters and limit.</param>
/// <param name="settings">The day retry and idle timeout.</param>
/// <param name="skipMalformed">Whether a line that is not an event is counted and skipped rather than failing the stream.</param>
/// <param name="progress">Told after each batch and each window.</param>
internal sealed class ExportEventReader(
    Func<ExportWindow, long?, CancellationToken, Task<Stream>> openWindow, ExportPlan plan, FetchSettings settings, bool skipMalformed, IProgress<StreamProgress>? progress) : IAsyncDisposable
{
    private readonly Channel<(List<ExportEvent>? Batch, StreamProgress Progress)> _items =
        Channel.CreateBounded<(List<ExportEvent>?, StreamProgress)>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });

    private CancellationTokenSource? _stop;
    private Task? _producer;
    private ExportWindow _window;
    private long _eventsBeforeWindow;
    private long _handedOutInWindow;
    private ulong _handedOutHash;
    private long _seenThisAttempt;
    private ulong _seenHash;
    private long _events;
    private long _bytes;
    private long _malformed;
    private int _daysDone;
    private int _retries;
    private InvalidResponseException? _malformedLine;

    private bool LimitReached => plan.Limit is { } limit && _events >= limit;

    /// <summary>The next events (never an empty list), or <see langword="null"/> at the end of the range.</summary>
    public async ValueTask<List<ExportEvent>?> NextBatchAsync(CancellationToken cancellationToken)
    {
        if (_producer is null)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _producer = Task.Run(() => ProduceAsync(_stop.Token), CancellationToken.None);
        }

        while (await _items.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_items.Reader.TryRead(out var item))
            {
                progress?.Report(item.Progress);
                if (item.Batch is { } batch)
                {
                    return batch;
                }
            }
        }

        await _producer.ConfigureAwait(false);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_producer is { } producer)
        {
            await _stop!.CancelAsync().ConfigureAwait(false);
            _items.Reader.TryRead(out _);
            await Task.WhenAny(producer).ConfigureAwait(false);
            _stop.Dispose();
        }
    }

    private async Task ProduceAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var window in plan.WindowsFrom(plan.From))
            {
                if (LimitReached)
                {
                    break;
                }

                _window = window;
                await settings.RunWindowAsync(window, ct => ReadWindowAsync(ct), () => _retries++, cancellationToken).ConfigureAwait(false);
                _daysDone += window.Days;
                _eventsBeforeWindow = _events;
                _handedOutInWindow = 0;
                _handedOutHash = 0;
                await _items.Writer.WriteAsync((null, Progress()), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _items.Writer.Complete();
        }
    }

    /// <summary>One attempt at the current window: hands out its events batch by batch, reading past those handed out by earlier attempts.</summary>
    private async Task<bool> ReadWindowAsync(CancellationToken cancellationToken)
    {
        _seenThisAttempt = 0;
        _seenHash = 0;
        long? limit = plan.Limit is { } total ? total - _eventsBeforeWindow : null;
        var body = await openWindow(_window, limit, cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(new IdleTimeoutStream(body, settings.IdleTimeout, settings.Time), new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024, leaveOpen: true));
            try
            {
                while (true)
                {
                    var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var batch = new List<ExportEvent>();
                    var buffer = read.Buffer;
                    var stop = false;
                    while (!stop && JsonLines.TryTakeLine(ref buffer, out var line))
                    {
                        stop = !Accept(line, batch);
                    }

                    if (!stop && read.IsCompleted && !buffer.IsEmpty)
                    {
                        stop = !Accept(buffer, batch);
                        buffer = buffer.Slice(buffer.End);
                    }

                    _bytes += read.Buffer.Length - buffer.Length;
                    if (batch.Count > 0)
                    {
                        // What came before a terminated-early or malformed line is handed out first.
                        await _items.Writer.WriteAsync((batch, Progress()), cancellationToken).ConfigureAwait(false);
                    }

                    if (stop)
                    {
                        throw _malformedLine ?? (Exception)new TerminatedEarlyException(_window);
                    }

                    if (read.IsCompleted)
                    {
                        if (_seenThisAttempt < _handedOutInWindow)
                        {
                            throw new InvalidResponseException(
                                $"The export of {_window} came back shorter on a retry ({_seenThisAttempt} lines) than the {_handedOutInWindow} lines already handed out; stopping rather than risk missing events.",
                                null, "export", null);
                        }

                        return true;
                    }

                    if (buffer.Length > JsonLines.MaxLineBytes)
                    {
                        throw new InvalidResponseException($"A line of the export of {_window} is longer than 16 MB; this is not export JSONL.", null, "export", null);
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    private StreamProgress Progress() => new(_daysDone, plan.Days, _events, _bytes, _malformed, _retries);

    private bool Accept(ReadOnlySequence<byte> sequence, List<ExportEvent> batch)
    {
        if (sequence.IsSingleSegment)
        {
            return Accept(sequence.FirstSpan, batch);
        }

        return Accept(sequence.ToArray(), batch);
    }

    /// <summary>False when reading must stop at this line.</summary>
    private bool Accept(ReadOnlySpan<byte> raw, List<ExportEvent> batch)
    {
        var line = ExportLines.Trim(raw);
        if (line.IsEmpty)
        {
            return true;
        }

        if (ExportLines.IsTerminatedEarly(line))
        {
            return false;
        }

        _seenThisAttempt++;
        var hash = ExportLines.Hash(line);
        if (_seenThisAttempt <= _handedOutInWindow)
        {
            // A re-sent window: read past what was handed out, checking it is the same lines (in any order).
            _seenHash += hash;
            if (_seenThisAttempt == _handedOutInWindow && _seenHash != _handedOutHash)
            {
                throw new InvalidResponseException(
                    $"The export of {_window} sent different lines on a retry than before; stopping rather than hand out duplicates or miss events.",
                    null, "export", null);
            }

            return true;
        }

        if (LimitReached)
        {
            return true;
        }

        var parsed = ExportLines.Parse(line, out var reason);
        if (parsed is null)
        {
            if (!skipMalformed)
            {
                _malformedLine = new InvalidResponseException(
                    $"Line {_seenThisAttempt} of the export of {_window} is not an event ({reason}). Set SkipMalformedLines to skip such lines.",
                    null, "export", ExportLines.Excerpt(line));
                return false;
            }

            _malformed++;
        }
        else
        {
            batch.Add(parsed);
            _events++;
        }

        _handedOutInWindow++;
        _handedOutHash += hash;
        return true;
    }

}
