using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MixpanelData.Http;
using MixpanelData.Storage;

namespace MixpanelData.Fetching;

/// <summary>
/// Raw events and profiles: streamed as they arrive, or fetched into the local store (<see cref="Workspace.Local"/>).
/// <para>
/// Events come from the raw export one request per day, so each day spends one request of the export budget
/// (60 per hour per project; a retried day spends another). Nothing is held in memory beyond a read buffer.
/// </para>
/// </summary>
public sealed class FetchClient
{
    private readonly Workspace _workspace;

    private Polly.ResiliencePipeline? _dayRetry;

    internal FetchClient(Workspace workspace) => _workspace = workspace;

    internal Workspace Workspace => _workspace;

    /// <summary>How long an export stream may send nothing before the day is retried. Default 5 minutes.</summary>
    internal TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Fetches raw events into a local table, day by day.
    /// <para>
    /// Atomic: the days are loaded into a hidden staging table and published at the end in one transaction
    /// (the table replaced, or appended to skipping <c>$insert_id</c>s already present), so a failed or cancelled
    /// fetch leaves the previous table exactly as it was. A day whose stream breaks off or ends with
    /// <c>terminated early</c> is requested again from its start; its partial lines never land. Each completed day
    /// is recorded in the store, so <see cref="FetchEventsRequest.Resume"/> can continue after the last one.
    /// Malformed lines are counted and sampled in the result, not loaded.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentException">Invalid range, limit, events or where; nothing was requested.</exception>
    /// <exception cref="LocalStoreException">Invalid table name, read-only store, a concurrent fetch into the table, or a resume of a different request.</exception>
    /// <exception cref="InvalidResponseException">A day ended with <c>terminated early</c> on every attempt.</exception>
    /// <exception cref="TransportException">A day's stream broke off on every attempt.</exception>
    /// <exception cref="MixpanelApiException">Mixpanel refused a request (authentication, rate limit after waiting, server errors after retries).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the table is unchanged and the completed days are kept for a resume.</exception>
    public async Task<FetchResult> EventsAsync(FetchEventsRequest request, IProgress<FetchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var time = _workspace.Options.TimeProvider;
        var plan = ExportPlan.Create(request.From, request.To, request.Events, request.Where, request.Limit, time);
        var table = StoreIdentifiers.ValidateTable(request.Table);
        cancellationToken.ThrowIfCancellationRequested();
        var started = time.GetTimestamp();
        var store = _workspace.Local;
        using var claim = store.ClaimFetch(table);
        var staged = await store.BeginStagedEventsAsync(table, plan.Fingerprint(request.Append), plan.From, plan.To, request.Resume, cancellationToken).ConfigureAwait(false);
        var resumedFrom = staged.Resumed && staged.LastDay is not null ? staged.NextDay : (DateOnly?)null;
        var connection = await _workspace.ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var settings = Settings(connection);
        var tally = new FetchTally(plan.Days, staged, time, started);
        var samples = new List<MalformedLine>();
        var retries = 0;

        if (staged.NextDay <= plan.To && !tally.LimitReached(plan.Limit))
        {
            for (var day = staged.NextDay; day <= plan.To && !tally.LimitReached(plan.Limit); day = day.AddDays(1))
            {
                progress?.Report(tally.Progress(day, default));
                var dayProgress = progress is null ? null : new Relay<IngestProgress>(p => progress.Report(tally.Progress(day, p)));
                long? limit = plan.Limit is { } total ? total - tally.Events : null;
                var loaded = await settings.RunDayAsync(
                    day,
                    ct => LoadDayAsync(connection, store, staged, plan, day, limit, settings, dayProgress, ct),
                    () => retries++,
                    cancellationToken).ConfigureAwait(false);
                tally.DayDone(loaded);
                samples.AddRange(loaded.Samples.Take(20 - samples.Count));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var published = await store.PublishStagedAsync(
            staged,
            new IngestOptions { Append = request.Append, Source = "export", FromDate = plan.From, ToDate = plan.To, Filters = plan.FiltersJson() },
            cancellationToken).ConfigureAwait(false);
        progress?.Report(tally.Progress(null, default));
        return new FetchResult(
            table, plan.From, plan.To, plan.Days, published.RowsRead, published.RowsInserted, published.DuplicatesSkipped, published.MalformedLines,
            samples, published.Bytes, published.TableRowCount, time.GetElapsedTime(started), resumedFrom, retries);
    }

    /// <summary>
    /// Fetches user profiles from Engage into a local table, paging with <c>session_id</c> until a short page.
    /// One page (1,000 profiles) is held at a time; the table is replaced (or appended to) atomically at the end.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid filters; nothing was requested.</exception>
    /// <exception cref="LocalStoreException">Invalid table name or read-only store.</exception>
    /// <exception cref="MixpanelApiException">Mixpanel refused a page or answered with an unexpected shape.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the table is unchanged.</exception>
    public async Task<ProfileFetchResult> ProfilesAsync(FetchProfilesRequest request, IProgress<ProfileFetchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = ProfileQuery.Create(request.Where, request.CohortId, request.OutputProperties, request.DistinctIds);
        var table = StoreIdentifiers.ValidateTable(request.Table);
        cancellationToken.ThrowIfCancellationRequested();
        var store = _workspace.Local;
        var pages = new PageTally();
        var result = await store.IngestProfilesAsync(
            table,
            EngagePagesAsync(query, pages, progress, cancellationToken),
            new IngestOptions { Append = request.Append, Source = "engage", Filters = ProfileFilters(query) },
            progress: null,
            cancellationToken).ConfigureAwait(false);
        return new ProfileFetchResult(table, pages.Pages, pages.Profiles, result.RowsInserted, result.MalformedLines, result.TableRowCount, result.Elapsed);
    }

    /// <summary>
    /// Streams raw events without storing them, one export request per day. A day whose stream breaks off or
    /// ends with <c>terminated early</c> is requested again and the events already handed out are skipped (after
    /// checking they are the same lines), so no event is handed out twice.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid range, limit, events or where (thrown when enumeration starts).</exception>
    /// <exception cref="InvalidResponseException">A malformed line (unless skipped), a day that ended with <c>terminated early</c> on every attempt, or a retried day that differed.</exception>
    /// <exception cref="TransportException">A day's stream broke off on every attempt.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async IAsyncEnumerable<ExportEvent> StreamEventsAsync(StreamEventsRequest request, IProgress<StreamProgress>? progress = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = ExportPlan.Create(request.From, request.To, request.Events, request.Where, request.Limit, _workspace.Options.TimeProvider);
        var connection = await _workspace.ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var reader = new ExportEventReader(
            async (day, limit, ct) => new OwnedStream(await connection.OpenStreamAsync(new ApiRequest(ApiFamily.Export, "export") { Query = plan.QueryFor(day, limit) }, ct).ConfigureAwait(false)),
            plan, Settings(connection), request.SkipMalformedLines, progress);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.NextBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
            {
                foreach (var item in batch)
                {
                    yield return item;
                }
            }
        }
    }

    /// <summary>Streams user profiles from Engage without storing them, paging with <c>session_id</c>; one page is held at a time.</summary>
    /// <exception cref="ArgumentException">Invalid filters (thrown when enumeration starts).</exception>
    /// <exception cref="InvalidResponseException">A page or a profile has an unexpected shape.</exception>
    /// <exception cref="MixpanelApiException">Mixpanel refused a page.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async IAsyncEnumerable<UserProfile> StreamProfilesAsync(StreamProfilesRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = ProfileQuery.Create(request.Where, request.CohortId, request.OutputProperties, request.DistinctIds);
        await foreach (var page in EngagePagesAsync(query, new PageTally(), null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var profile in page.GetProperty("results").EnumerateArray())
            {
                yield return ToProfile(profile);
            }
        }
    }

    /// <summary>
    /// How many profiles match a query (Engage's <c>total</c>), from its first page alone: one Query API call, whatever
    /// the number. Use it to size a cohort or a filter before fetching or streaming it.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid filters.</exception>
    /// <exception cref="InvalidResponseException">The page has an unexpected shape or no <c>total</c>.</exception>
    /// <exception cref="MixpanelApiException">Mixpanel refused the query.</exception>
    public async Task<long> CountProfilesAsync(StreamProfilesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = ProfileQuery.Create(request.Where, request.CohortId, request.OutputProperties ?? ["$last_seen"], request.DistinctIds);
        var connection = await _workspace.ConnectionAsync(cancellationToken).ConfigureAwait(false);
        var response = await connection.SendAsync(new ApiRequest(ApiFamily.Query, "engage") { Method = HttpMethod.Post, Form = query.Form(0, null) }, cancellationToken).ConfigureAwait(false);
        using var document = ParsePage(response);
        return document.RootElement.TryGetProperty("total", out var total) && total.TryGetInt64(out var n)
            ? n
            : throw new InvalidResponseException("Engage's first page has no \"total\".", response.Status, response.Path, null);
    }

    private FetchSettings Settings(MixpanelConnection connection)
    {
        var options = connection.Options;
        var retry = LazyInitializer.EnsureInitialized(ref _dayRetry, () => MixpanelResilience.StreamRetry(options, FetchSettings.IsBrokenStream));
        return new FetchSettings(retry, options.Retry.MaxRetries, StreamIdleTimeout, options.TimeProvider);
    }

    private static async Task<StagedDay> LoadDayAsync(
        MixpanelConnection connection, LocalStore store, StagedFetch staged, ExportPlan plan, DateOnly day, long? limit, FetchSettings settings, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        var body = await connection.OpenStreamAsync(new ApiRequest(ApiFamily.Export, "export") { Query = plan.QueryFor(day, limit) }, cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(
                new IdleTimeoutStream(body.Body, settings.IdleTimeout, settings.Time),
                new StreamPipeReaderOptions(bufferSize: 1 << 20, minimumReadSize: 256 * 1024, leaveOpen: true));
            return await store.LoadStagedDayAsync(staged, day, reader, 20, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Engage pages as parsed JSON, one at a time: a page's document is released when the next is asked for.</summary>
    private async IAsyncEnumerable<JsonElement> EngagePagesAsync(ProfileQuery query, PageTally tally, IProgress<ProfileFetchProgress>? progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await _workspace.ConnectionAsync(cancellationToken).ConfigureAwait(false);
        string? session = null;
        long? total = null;
        for (var page = 0; ; page++)
        {
            var response = await connection.SendAsync(
                new ApiRequest(ApiFamily.Query, "engage") { Method = HttpMethod.Post, Form = query.Form(page, session) },
                cancellationToken).ConfigureAwait(false);
            using var document = ParsePage(response);
            var root = document.RootElement;
            var count = root.GetProperty("results").GetArrayLength();
            var pageSize = root.TryGetProperty("page_size", out var size) && size.TryGetInt32(out var s) && s > 0 ? s : 1000;
            if (page == 0 && root.TryGetProperty("total", out var t) && t.TryGetInt64(out var n))
            {
                total = n;
            }

            session ??= root.TryGetProperty("session_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            tally.Pages++;
            tally.Profiles += count;
            yield return root;
            progress?.Report(new ProfileFetchProgress(tally.Pages, tally.Profiles, total));
            if (count < pageSize)
            {
                yield break;
            }

            if (string.IsNullOrEmpty(session))
            {
                throw new InvalidResponseException("Engage sent a full page without a session_id, so the next page cannot be asked for.", response.Status, response.Path, null);
            }
        }
    }

    private static JsonDocument ParsePage(ApiResponse response)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(response.Body);
        }
        catch (JsonException ex)
        {
            throw new InvalidResponseException($"Engage's answer is not JSON: {ex.Message}", response.Status, response.Path, null, ex);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            throw new InvalidResponseException("Engage's answer has no \"results\" array.", response.Status, response.Path, null);
        }

        return document;
    }

    private static UserProfile ToProfile(JsonElement profile)
    {
        if (profile.ValueKind != JsonValueKind.Object || !profile.TryGetProperty("$distinct_id", out var id) || id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            throw new InvalidResponseException("An Engage profile has no $distinct_id.", null, "engage", profile.GetRawText() is { Length: > 200 } raw ? raw[..200] : profile.GetRawText());
        }

        var properties = profile.TryGetProperty("$properties", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : EmptyObject();
        DateTimeOffset? lastSeen = properties.TryGetProperty("$last_seen", out var seen) && seen.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(seen.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;
        return new UserProfile(id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText(), lastSeen, properties);
    }

    private static JsonElement EmptyObject()
    {
        using var empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }

    private static string? ProfileFilters(ProfileQuery query)
    {
        var parts = new List<string>();
        if (query.Where is not null)
        {
            parts.Add("where=" + query.Where);
        }

        if (query.CohortId is { } cohort)
        {
            parts.Add("cohort=" + cohort.ToString(CultureInfo.InvariantCulture));
        }

        if (query.OutputProperties is not null)
        {
            parts.Add("output_properties=" + ExportPlan.JsonArray(query.OutputProperties));
        }

        if (query.DistinctIds is not null)
        {
            parts.Add("distinct_ids=" + query.DistinctIds.Count.ToString(CultureInfo.InvariantCulture) + " ids");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>Counts of a fetch run, for progress: staged (earlier) days plus this run's.</summary>
    private sealed class FetchTally(int daysTotal, StagedFetch staged, TimeProvider time, long started)
    {
        private readonly int _daysBefore = staged.LastDay is { } last ? last.DayNumber - staged.From.DayNumber + 1 : 0;
        private int _daysThisRun;
        private long _eventsThisRun;

        public long Events => staged.Rows + _eventsThisRun;

        private long _bytes = staged.Bytes;

        public bool LimitReached(int? limit) => limit is { } l && Events >= l;

        public void DayDone(StagedDay day)
        {
            _daysThisRun++;
            _eventsThisRun += day.Rows;
            _bytes += day.Bytes;
        }

        public FetchProgress Progress(DateOnly? day, IngestProgress current)
        {
            var elapsed = time.GetElapsedTime(started);
            var runEvents = _eventsThisRun + current.Rows;
            var rate = elapsed.TotalSeconds > 0 ? runEvents / elapsed.TotalSeconds : 0;
            var done = _daysBefore + _daysThisRun;
            TimeSpan? eta = _daysThisRun > 0 ? elapsed / _daysThisRun * (daysTotal - done) : null;
            return new FetchProgress(done, daysTotal, day, Events + current.Rows, _bytes + current.Bytes, elapsed, rate, eta);
        }
    }

    /// <summary>An export body as a plain stream that also releases its response when disposed.</summary>
    private sealed class OwnedStream(ApiStream body) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => body.Body.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => body.Body.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => body.Body.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            await body.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class PageTally
    {
        public int Pages { get; set; }

        public long Profiles { get; set; }
    }

    /// <summary>Reports synchronously on the reporting thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class Relay<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
