using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MixpanelData.Api;
using MixpanelData.Storage;

namespace MixpanelData.Fetching;

/// <summary>
/// Raw events and profiles: streamed as they arrive, or fetched into the workspace's local store (<c>Local</c>).
/// <para>
/// Events come from the raw export in windows of consecutive days, one request per window, so each window spends one
/// request of the export budget (60 per hour per project; a retried window spends another). By default a range takes
/// at most 10 windows (<c>ceil(days / 10)</c> days each); <see cref="FetchEventsRequest.WindowDays"/> sets the size.
/// Nothing is held in memory beyond a read buffer.
/// </para>
/// </summary>
public sealed class FetchClient
{
    private readonly IExportApi _export;
    private readonly IEngageApi _engage;
    private readonly Func<LocalStore> _store;
    private readonly FetchScope _scope;

    internal FetchClient(IExportApi export, IEngageApi engage, Func<LocalStore> store, FetchScope scope)
    {
        _export = export;
        _engage = engage;
        _store = store;
        _scope = scope;
    }

    /// <summary>How long an export stream may send nothing before the window is retried. Default 5 minutes.</summary>
    internal TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Export requests one events fetch keeps open at once: the window being loaded and the next ones downloading into
    /// spool files. Default 3 (Mixpanel allows 3 export requests a second and 100 at once); 1 loads window after window.
    /// </summary>
    internal int ConcurrentWindows { get; set; } = 3;

    /// <summary>
    /// What fetching <paramref name="request"/> would spend of the project's Export API budget (60 requests per rolling
    /// hour) and whether it would have to wait for it, as things stand now: one request per window still to load (a
    /// resume counts only the windows after the unfinished fetch's last one). No export or query request is sent.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid range, limit, window days, events or where.</exception>
    public async Task<FetchBudget> ExportBudgetAsync(FetchEventsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = ExportPlan.Create(request.From, request.To, request.Events, request.Where, request.Limit, request.WindowDays, _scope.Time);
        var windows = plan.WindowCount;
        if (request.Resume && await _store().FindStagedAsync(request.Table, cancellationToken).ConfigureAwait(false) is { } staged
            && staged.Request == plan.Fingerprint(request.Append))
        {
            windows = plan.WindowsFrom(staged.NextDay).Count();
        }

        return await BudgetAsync(windows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fetches raw events into a local table, window by window (see <see cref="FetchEventsRequest.WindowDays"/>).
    /// <para>
    /// Atomic: the windows are loaded into a hidden staging table and published at the end in one transaction
    /// (the table replaced, or appended to skipping <c>$insert_id</c>s already present), so a failed or cancelled
    /// fetch leaves the previous table exactly as it was. A window whose stream breaks off or ends with
    /// <c>terminated early</c> is requested again from its start, alone; its partial lines never land. Each completed
    /// window is recorded in the store (as its last day), so <see cref="FetchEventsRequest.Resume"/> can continue after it.
    /// Malformed lines are counted and sampled in the result, not loaded.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentException">Invalid range, limit, window days, events or where; nothing was requested.</exception>
    /// <exception cref="LocalStoreException">Invalid table name, read-only store, a concurrent fetch into the table, or a resume of a different request.</exception>
    /// <exception cref="InvalidResponseException">A window ended with <c>terminated early</c> on every attempt.</exception>
    /// <exception cref="TransportException">A window's stream broke off on every attempt.</exception>
    /// <exception cref="MixpanelApiException">Mixpanel refused a request (authentication, rate limit after waiting, server errors after retries).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the table is unchanged and the completed windows are kept for a resume.</exception>
    public async Task<FetchResult> EventsAsync(FetchEventsRequest request, IProgress<FetchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var time = _scope.Time;
        var plan = ExportPlan.Create(request.From, request.To, request.Events, request.Where, request.Limit, request.WindowDays, time);
        var table = StoreIdentifiers.ValidateTable(request.Table);
        cancellationToken.ThrowIfCancellationRequested();
        var started = time.GetTimestamp();
        var store = _store();
        using var claim = store.ClaimFetch(table);
        var staged = await store.BeginStagedEventsAsync(table, plan.Fingerprint(request.Append), plan.From, plan.To, request.Resume, cancellationToken).ConfigureAwait(false);
        var resumedFrom = staged.Resumed && staged.LastDay is not null ? staged.NextDay : (DateOnly?)null;
        var settings = Settings();
        var windows = plan.WindowsFrom(staged.NextDay).ToList();
        var budget = await BudgetAsync(windows.Count, cancellationToken).ConfigureAwait(false);
        var tally = new FetchTally(plan.Days, staged, time, started, budget);
        var samples = new List<MalformedLine>();
        var retries = 0;
        void Retried() => Interlocked.Increment(ref retries);

        // With a limit, each window asks for what the earlier ones left, so windows go one at a time.
        var ahead = plan.Limit is null ? Math.Max(1, ConcurrentWindows) - 1 : 0;
        var downloads = new WindowDownloads((w, ct) => OpenWindowAsync(plan, w, null, ct), settings, () => store.NewSpoolFile("export"), Retried, cancellationToken);
        await using (downloads.ConfigureAwait(false))
        {
            for (var i = 0; i < windows.Count; i++)
            {
                var window = windows[i];
                if (tally.LimitReached(plan.Limit))
                {
                    break;
                }

                progress?.Report(tally.Progress(window.From, default));
                long? limit = plan.Limit is { } total ? total - tally.Events : null;
                var spooled = downloads.Has(window);
                StartAhead(i);

                if (spooled)
                {
                    // Windows already on disk share one transaction until it holds a row group's worth of rows.
                    var group = await LoadSpooledWindowsAsync(store, staged, plan, windows, i, downloads, settings, Retried, tally, progress, StartAhead, cancellationToken).ConfigureAwait(false);
                    foreach (var day in group)
                    {
                        samples.AddRange(day.Samples.Take(20 - samples.Count));
                    }

                    i += group.Count - 1;
                    continue;
                }

                var loaded = await settings.RunWindowAsync(
                    window,
                    ct => LoadWindowAsync(store, staged, plan, window, limit, settings, WindowProgress(tally, window, progress), ct),
                    Retried,
                    cancellationToken).ConfigureAwait(false);
                tally.WindowDone(window, loaded);
                samples.AddRange(loaded.Samples.Take(20 - samples.Count));
            }
        }

        void StartAhead(int index)
        {
            for (var next = index + 1; next <= index + ahead && next < windows.Count; next++)
            {
                downloads.Start(windows[next]);
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
            samples, published.Bytes, published.TableRowCount, time.GetElapsedTime(started), resumedFrom, retries)
        {
            WindowDays = plan.WindowDays,
            Windows = plan.WindowCount,
            Budget = budget,
        };
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
        var store = _store();
        var pages = new PageTally();
        var result = await store.IngestProfilesAsync(
            table,
            Pages(EngagePagesAsync(query, pages, progress, cancellationToken, ahead: true)),
            new IngestOptions { Append = request.Append, Source = "engage", Filters = ProfileFilters(query) },
            progress: null,
            cancellationToken).ConfigureAwait(false);
        return new ProfileFetchResult(table, pages.Pages, pages.Profiles, result.RowsInserted, result.MalformedLines, result.TableRowCount, result.Elapsed);
    }

    /// <summary>
    /// Streams raw events without storing them, one export request per window (the same windows as
    /// <see cref="EventsAsync"/>). A window whose stream breaks off or ends with <c>terminated early</c> is requested
    /// again and the events already handed out are skipped (after checking they are the same lines), so no event is
    /// handed out twice.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid range, limit, window days, events or where (thrown when enumeration starts).</exception>
    /// <exception cref="InvalidResponseException">A malformed line (unless skipped), a window that ended with <c>terminated early</c> on every attempt, or a retried window that differed.</exception>
    /// <exception cref="TransportException">A window's stream broke off on every attempt.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async IAsyncEnumerable<ExportEvent> StreamEventsAsync(StreamEventsRequest request, IProgress<StreamProgress>? progress = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = ExportPlan.Create(request.From, request.To, request.Events, request.Where, request.Limit, request.WindowDays, _scope.Time);
        var reader = new ExportEventReader((window, limit, ct) => OpenWindowAsync(plan, window, limit, ct), plan, Settings(), request.SkipMalformedLines, progress);
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
            foreach (var profile in page.Profiles())
            {
                yield return new UserProfile(profile.DistinctId, profile.LastSeen, profile.Properties);
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
        var page = await _engage.QueryAsync(query.Form(0, null), cancellationToken).ConfigureAwait(false);
        return page.Total ?? throw new InvalidResponseException("Engage's first page has no \"total\".", null, "engage", null);
    }

    private async Task<FetchBudget> BudgetAsync(int requests, CancellationToken cancellationToken)
    {
        var limiter = await _scope.Limiter(cancellationToken).ConfigureAwait(false);
        return limiter.ExportHourly(requests) is { } hourly
            ? new FetchBudget(requests, hourly.Quota, hourly.Remaining, hourly.Wait)
            : new FetchBudget(requests, null, null, TimeSpan.Zero);
    }

    /// <summary>
    /// Loads windows downloaded ahead from their spool files, starting at <paramref name="first"/>, in one transaction of
    /// the store (<see cref="LocalStore.BeginStagedBatchAsync"/>): the next window joins while the batch holds fewer rows
    /// than a DuckDB row group and its download has already finished, so small windows are written to the file once
    /// instead of through the WAL and a checkpoint. Each window is recorded as done inside the batch; a failure or
    /// cancellation rolls the whole batch back, so its windows are loaded again (no partial window, no duplicate).
    /// Should a file hold a <c>terminated early</c> line that its download did not see at its end, the batch is rolled
    /// back and its windows are loaded one by one, that one requested again from the stream.
    /// </summary>
    /// <returns>What each window of the batch added, in order (at least one).</returns>
    private async Task<IReadOnlyList<StagedDay>> LoadSpooledWindowsAsync(
        LocalStore store, StagedFetch staged, ExportPlan plan, IReadOnlyList<ExportWindow> windows, int first, WindowDownloads downloads, FetchSettings settings,
        Action retried, FetchTally tally, IProgress<FetchProgress>? progress, Action<int> startAhead, CancellationToken cancellationToken)
    {
        var files = new List<(ExportWindow Window, string File)>();
        var loaded = new List<StagedDay>();
        try
        {
            var batch = await store.BeginStagedBatchAsync(staged, cancellationToken).ConfigureAwait(false);
            await using (batch.ConfigureAwait(false))
            {
                try
                {
                    for (var i = first; ; i++)
                    {
                        var window = windows[i];
                        if (i > first)
                        {
                            progress?.Report(tally.Progress(window.From, default));
                            startAhead(i);
                        }

                        files.Add((window, await downloads.TakeAsync(window, cancellationToken).ConfigureAwait(false)));
                        var day = await batch.LoadAsync(window.To, OpenSpool(files[^1].File), 20, WindowProgress(tally, window, progress)).ConfigureAwait(false);
                        tally.WindowDone(window, day);
                        loaded.Add(day);
                        if (batch.Rows >= LocalStore.RowGroupRows || i + 1 >= windows.Count || !downloads.IsReady(windows[i + 1]))
                        {
                            break;
                        }
                    }

                    await batch.CommitAsync().ConfigureAwait(false);
                    return loaded;
                }
                catch (LocalStoreException error) when (error.ErrorType == LocalStore.TerminatedEarlyError && !cancellationToken.IsCancellationRequested)
                {
                    // Rolled back when the batch is disposed, just below.
                }
            }

            for (var k = 0; k < loaded.Count; k++)
            {
                tally.WindowUndone(files[k].Window, loaded[k]);
            }

            loaded.Clear();
            foreach (var (window, file) in files)
            {
                var day = await LoadSpooledFileAsync(store, staged, plan, window, file, settings, retried, WindowProgress(tally, window, progress), cancellationToken).ConfigureAwait(false);
                tally.WindowDone(window, day);
                loaded.Add(day);
            }

            return loaded;
        }
        finally
        {
            foreach (var (_, file) in files)
            {
                WindowDownloads.Delete(file);
            }
        }
    }

    /// <summary>
    /// Loads one window's spool file in a transaction of its own; should it hold a <c>terminated early</c> line, the window
    /// is requested again and loaded from the stream, under the window retry.
    /// </summary>
    private async Task<StagedDay> LoadSpooledFileAsync(
        LocalStore store, StagedFetch staged, ExportPlan plan, ExportWindow window, string file, FetchSettings settings, Action retried, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            return await store.LoadStagedDayAsync(staged, window.To, OpenSpool(file), 20, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (LocalStoreException error) when (error.ErrorType == LocalStore.TerminatedEarlyError && !cancellationToken.IsCancellationRequested)
        {
            retried();
            return await settings.RunWindowAsync(
                window,
                ct => LoadWindowAsync(store, staged, plan, window, null, settings, progress, ct),
                retried,
                cancellationToken).ConfigureAwait(false);
        }
    }

    // A spool file as the store reads it; completing the reader closes the file.
    private static PipeReader OpenSpool(string file) =>
        PipeReader.Create(
            new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan),
            new StreamPipeReaderOptions(bufferSize: 1 << 20, minimumReadSize: 256 * 1024, leaveOpen: false));

    private static Relay<IngestProgress>? WindowProgress(FetchTally tally, ExportWindow window, IProgress<FetchProgress>? progress) =>
        progress is null ? null : new Relay<IngestProgress>(p => progress.Report(tally.Progress(window.From, p)));

    private FetchSettings Settings() => new(_scope.DayRetry, _scope.MaxRetries, StreamIdleTimeout, _scope.Time);

    private Task<Stream> OpenWindowAsync(ExportPlan plan, ExportWindow window, long? limit, CancellationToken cancellationToken) =>
        _export.ExportAsync(window.From, window.To, JsonStringArray.From(plan.Events), plan.Where, limit, cancellationToken);

    /// <summary>Loads one window into the staging table; the store records the window's last day as done in the same transaction.</summary>
    private async Task<StagedDay> LoadWindowAsync(
        LocalStore store, StagedFetch staged, ExportPlan plan, ExportWindow window, long? limit, FetchSettings settings, IProgress<IngestProgress>? progress, CancellationToken cancellationToken)
    {
        var body = await OpenWindowAsync(plan, window, limit, cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var reader = PipeReader.Create(
                new IdleTimeoutStream(body, settings.IdleTimeout, settings.Time),
                new StreamPipeReaderOptions(bufferSize: 1 << 20, minimumReadSize: 256 * 1024, leaveOpen: true));
            return await store.LoadStagedDayAsync(staged, window.To, reader, 20, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Engage pages as parsed JSON, one at a time: a page's document is released when the next is asked for. With
    /// <paramref name="ahead"/>, the next page is requested as soon as a full page arrives, so it downloads while the
    /// caller loads this one (at most two pages are held); a caller that stops early cancels it.
    /// </summary>
    private async IAsyncEnumerable<EngagePageAnswer> EngagePagesAsync(ProfileQuery query, PageTally tally, IProgress<ProfileFetchProgress>? progress, [EnumeratorCancellation] CancellationToken cancellationToken, bool ahead = false)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? session = null;
        long? total = null;
        Task<EngagePageAnswer>? next = null;
        try
        {
            for (var page = 0; ; page++)
            {
                var answer = next is null
                    ? await _engage.QueryAsync(query.Form(page, session), cancellationToken).ConfigureAwait(false)
                    : await next.ConfigureAwait(false);
                next = null;
                if (page == 0)
                {
                    total = answer.Total;
                }

                session ??= answer.SessionId;
                tally.Pages++;
                tally.Profiles += answer.Count;
                var full = answer.Count >= answer.PageSize;
                if (ahead && full && !string.IsNullOrEmpty(session))
                {
                    next = _engage.QueryAsync(query.Form(page + 1, session), stop.Token);
                }

                yield return answer;
                progress?.Report(new ProfileFetchProgress(tally.Pages, tally.Profiles, total));
                if (!full)
                {
                    yield break;
                }

                if (string.IsNullOrEmpty(session))
                {
                    throw new InvalidResponseException("Engage sent a full page without a session_id, so the next page cannot be asked for.", null, "/api/query/engage", null);
                }
            }
        }
        finally
        {
            if (next is not null)
            {
                // The caller stopped (or failed) before taking the page asked for ahead.
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch (Exception error) when (error is OperationCanceledException or MixpanelException or HttpRequestException)
                {
                }
            }
        }
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
            parts.Add("output_properties=" + new JsonStringArray(query.OutputProperties));
        }

        if (query.DistinctIds is not null)
        {
            parts.Add("distinct_ids=" + query.DistinctIds.Count.ToString(CultureInfo.InvariantCulture) + " ids");
        }

        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>Counts of a fetch run, for progress: staged (earlier) days plus this run's windows' days.</summary>
    private sealed class FetchTally(int daysTotal, StagedFetch staged, TimeProvider time, long started, FetchBudget budget)
    {
        private readonly int _daysBefore = staged.LastDay is { } last ? last.DayNumber - staged.From.DayNumber + 1 : 0;
        private int _daysThisRun;
        private long _eventsThisRun;

        public long Events => staged.Rows + _eventsThisRun;

        private long _bytes = staged.Bytes;

        public bool LimitReached(int? limit) => limit is { } l && Events >= l;

        public void WindowDone(ExportWindow window, StagedDay day)
        {
            _daysThisRun += window.Days;
            _eventsThisRun += day.Rows;
            _bytes += day.Bytes;
        }

        /// <summary>Takes back a window counted as done whose transaction was rolled back (it is loaded again).</summary>
        public void WindowUndone(ExportWindow window, StagedDay day)
        {
            _daysThisRun -= window.Days;
            _eventsThisRun -= day.Rows;
            _bytes -= day.Bytes;
        }

        public FetchProgress Progress(DateOnly? day, IngestProgress current)
        {
            var elapsed = time.GetElapsedTime(started);
            var runEvents = _eventsThisRun + current.Rows;
            var rate = elapsed.TotalSeconds > 0 ? runEvents / elapsed.TotalSeconds : 0;
            var done = _daysBefore + _daysThisRun;
            TimeSpan? eta = _daysThisRun > 0 ? elapsed / _daysThisRun * (daysTotal - done) : null;
            return new FetchProgress(done, daysTotal, day, Events + current.Rows, _bytes + current.Bytes, elapsed, rate, eta) { Budget = budget };
        }
    }

    private static async IAsyncEnumerable<JsonElement> Pages(IAsyncEnumerable<EngagePageAnswer> pages)
    {
        await foreach (var page in pages.ConfigureAwait(false))
        {
            yield return page.Raw;
        }
    }

    /// <summary>The clock and the day retry of a workspace's fetches.</summary>
    /// <param name="Time">The clock of progress figures and default date ranges.</param>
    /// <param name="DayRetry">The Http core's retry, run over a whole window whose stream broke off.</param>
    /// <param name="MaxRetries">Its retry count, for messages.</param>
    /// <param name="Limiter">The project's client-side rate limiter (the Export API budget is read from it before a fetch).</param>
    internal sealed record FetchScope(TimeProvider Time, Polly.ResiliencePipeline DayRetry, int MaxRetries, Func<CancellationToken, ValueTask<Http.MixpanelRateLimiter>> Limiter);

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
