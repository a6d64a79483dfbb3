using System.Buffers;
using System.IO.Pipelines;
using MixpanelData.Http;

namespace MixpanelData.Fetching;

/// <summary>
/// Reads an export range day by day (one request per day) and hands out events in batches, never holding
/// more than one read buffer. When a day's stream breaks off or ends with <c>terminated early</c>, the day is
/// requested again and the lines already handed out are read past, not handed out twice; their hashes must
/// match what was handed out, or the stream fails rather than risk duplicates or gaps.
/// </summary>
internal sealed class ExportEventReader(MixpanelConnection connection, ExportPlan plan, FetchSettings settings, bool skipMalformed, IProgress<StreamProgress>? progress) : IAsyncDisposable
{
    private DateOnly _day = plan.From;
    private ApiStream? _body;
    private PipeReader? _reader;
    private long _eventsBeforeDay;
    private long _handedOutInDay;
    private ulong _handedOutHash;
    private long _seenThisAttempt;
    private ulong _seenHash;
    private int _attempt;
    private long _events;
    private long _bytes;
    private long _malformed;
    private int _daysDone;
    private int _retries;
    private Exception? _deferred;
    private bool _retryPending;

    private bool LimitReached => plan.Limit is { } limit && _events >= limit;

    /// <summary>The next events (never an empty list), or <see langword="null"/> at the end of the range.</summary>
    public async ValueTask<List<ExportEvent>?> NextBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<ExportEvent>();
        while (batch.Count == 0)
        {
            if (_deferred is { } deferred)
            {
                _deferred = null;
                throw deferred;
            }

            if (_retryPending)
            {
                _retryPending = false;
                await FailAttemptAsync(null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (_reader is null)
            {
                if (_day > plan.To || LimitReached)
                {
                    return null;
                }

                await OpenDayAsync(cancellationToken).ConfigureAwait(false);
            }

            ReadResult read;
            try
            {
                read = await _reader!.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (FetchSettings.IsBrokenStream(ex, cancellationToken))
            {
                await FailAttemptAsync(ex, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var buffer = read.Buffer;
            var stop = false;
            while (!stop && ExportLines.TryTakeLine(ref buffer, out var line))
            {
                stop = !Accept(line, batch);
            }

            if (!stop && read.IsCompleted && !buffer.IsEmpty)
            {
                stop = !Accept(buffer, batch);
                buffer = buffer.Slice(buffer.End);
            }

            _bytes += read.Buffer.Length - buffer.Length;
            if (stop)
            {
                // terminated early, or a malformed line that fails the stream: hand out what came before it first.
                await CloseDayAsync().ConfigureAwait(false);
                _retryPending = _deferred is null;
                continue;
            }

            if (read.IsCompleted)
            {
                await CloseDayAsync().ConfigureAwait(false);
                if (_seenThisAttempt < _handedOutInDay)
                {
                    throw new InvalidResponseException(
                        $"The export of {ExportPlan.Iso(_day)} came back shorter on a retry ({_seenThisAttempt} lines) than the {_handedOutInDay} lines already handed out; stopping rather than risk missing events.",
                        null, "export", null);
                }

                NextDay();
                continue;
            }

            if (buffer.Length > ExportLines.MaxLineBytes)
            {
                throw new InvalidResponseException($"A line of the export of {ExportPlan.Iso(_day)} is longer than 16 MB; this is not export JSONL.", null, "export", null);
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }

        progress?.Report(Progress());
        return batch;
    }

    public ValueTask DisposeAsync() => CloseDayAsync();

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
        if (_seenThisAttempt <= _handedOutInDay)
        {
            // A re-sent day: read past what was handed out, checking it is the same lines (in any order).
            _seenHash += hash;
            if (_seenThisAttempt == _handedOutInDay && _seenHash != _handedOutHash)
            {
                throw new InvalidResponseException(
                    $"The export of {ExportPlan.Iso(_day)} sent different lines on a retry than before; stopping rather than hand out duplicates or miss events.",
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
                _deferred = new InvalidResponseException(
                    $"Line {_seenThisAttempt} of the export of {ExportPlan.Iso(_day)} is not an event ({reason}). Set SkipMalformedLines to skip such lines.",
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

        _handedOutInDay++;
        _handedOutHash += hash;
        return true;
    }

    private async Task OpenDayAsync(CancellationToken cancellationToken)
    {
        long? limit = plan.Limit is { } total ? total - _eventsBeforeDay : null;
        var body = await connection.OpenStreamAsync(new ApiRequest(ApiFamily.Export, "export") { Query = plan.QueryFor(_day, limit) }, cancellationToken).ConfigureAwait(false);
        _body = body;
        _reader = PipeReader.Create(new IdleTimeoutStream(body.Body, settings.IdleTimeout, settings.Time), new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024, leaveOpen: true));
        _seenThisAttempt = 0;
        _seenHash = 0;
    }

    private async ValueTask CloseDayAsync()
    {
        if (_reader is { } reader)
        {
            _reader = null;
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        if (_body is { } body)
        {
            _body = null;
            await body.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task FailAttemptAsync(Exception? cause, CancellationToken cancellationToken)
    {
        await CloseDayAsync().ConfigureAwait(false);
        if (_attempt >= settings.MaxRetries)
        {
            throw settings.GiveUp(_day, _attempt + 1, cause);
        }

        _attempt++;
        _retries++;
        await settings.BackoffAsync(_attempt, cancellationToken).ConfigureAwait(false);
    }

    private void NextDay()
    {
        _day = _day.AddDays(1);
        _daysDone++;
        _eventsBeforeDay = _events;
        _handedOutInDay = 0;
        _handedOutHash = 0;
        _attempt = 0;
        progress?.Report(Progress());
    }
}
