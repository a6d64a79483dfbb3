using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using MixpanelData.Analytics.Expressions;
using MixpanelData.Queries;
using MixpanelData.Storage;

namespace MixpanelData.Emulation.Demo;

/// <summary>
/// Builds the demo project the emulator serves: the synthetic dataset loaded into a DuckDB file (generated once per
/// day and settings, cached) and opened with DuckDB's read-only access mode (so several processes serve the demo
/// from the same file at once, without copying it), and the saved funnels, cohorts and reports mapped to the emulator's definitions.
/// </summary>
internal static class DemoProject
{
    private const string CacheVersion = "v1";

    public static async Task<EmulatorProject> OpenAsync(DemoOptions options, CancellationToken cancellationToken)
    {
        var datasetOptions = DemoDatasetOptions.EndingYesterday(options.TimeProvider) with { Seed = options.Seed, UserCount = options.UserCount };
        datasetOptions.Validate();
        var dataset = DemoDataset.Create(datasetOptions);
        var cached = await EnsureCachedAsync(dataset, options.ResolveCacheDirectory(), cancellationToken).ConfigureAwait(false);

        var store = LocalStore.Open(new LocalStoreOptions { Path = cached, TimeProvider = options.TimeProvider, ReadOnly = true, ShareFileReadOnly = true });
        var project = new EmulatorProject
        {
            ProjectId = DemoOptions.ProjectId,
            Name = "Flowboard (demo)",
            Accounts = new Dictionary<string, string> { [DemoOptions.Username] = DemoOptions.Secret },
            Store = store,
            Funnels = [.. dataset.Definitions.Funnels.Select(Funnel)],
            Cohorts = [.. dataset.Definitions.Cohorts.Select(c => new SavedCohort(c.Id, c.Name, c.Description, c.Definition, c.Created, c.IsVisible))],
            Reports = [.. dataset.Definitions.Bookmarks.Select(Report)],
            CreatedOn = dataset.FirstDay.AddDays(-400),
        };
        return project;
    }

    /// <summary>The cached database for this dataset, generating it first when it is missing.</summary>
    private static async Task<string> EnsureCachedAsync(DemoDataset dataset, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var o = dataset.Options;
        var name = $"demo-{CacheVersion}-{o.Seed}-{o.UserCount}-{o.Days}-{o.LastDay:yyyyMMdd}.duckdb";
        var path = Path.Combine(directory, name);
        if (File.Exists(path))
        {
            return path;
        }

        // Build under a private name, then rename: readers only ever see complete files.
        var building = Path.Combine(directory, $".building-{Guid.NewGuid():N}.duckdb");
        try
        {
            var store = LocalStore.Open(new LocalStoreOptions { Path = building });
            await using (store.ConfigureAwait(false))
            {
                var pipe = new Pipe();
                var writing = WriteEventsAsync(dataset, pipe.Writer, cancellationToken);
                var ingest = store.IngestEventsAsync("events", pipe.Reader, new IngestOptions { Source = "demo", FromDate = dataset.FirstDay, ToDate = dataset.LastDay }, cancellationToken: cancellationToken);
                await Task.WhenAll(writing, ingest).ConfigureAwait(false);
                await store.IngestProfilesAsync("profiles", ProfilePagesAsync(dataset, cancellationToken), new IngestOptions { Source = "demo" }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            File.Move(building, path, overwrite: true);
        }
        finally
        {
            TryDelete(building);
            TryDelete(building + ".wal");
        }

        foreach (var stale in Directory.EnumerateFiles(directory, $"demo-{CacheVersion}-*.duckdb").Where(f => !string.Equals(f, path, StringComparison.Ordinal)))
        {
            TryDelete(stale);
        }

        return path;
    }

    private static async Task WriteEventsAsync(DemoDataset dataset, PipeWriter writer, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            var stream = writer.AsStream(leaveOpen: true);
            await dataset.WriteEventsAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            await writer.CompleteAsync(failure).ConfigureAwait(false);
        }
    }

    private static async IAsyncEnumerable<JsonElement> ProfilePagesAsync(DemoDataset dataset, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await dataset.WriteProfilesAsync(buffer, cancellationToken).ConfigureAwait(false);
        buffer.Position = 0;
        using var reader = new StreamReader(buffer);
        var page = new List<string>(1000);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            page.Add(line);
            if (page.Count == 1000)
            {
                yield return Page(page);
                page.Clear();
            }
        }

        if (page.Count > 0)
        {
            yield return Page(page);
        }
    }

    private static JsonElement Page(List<string> profiles)
    {
        using var document = JsonDocument.Parse("[" + string.Join(",", profiles) + "]");
        return document.RootElement.Clone();
    }

    private static SavedFunnel Funnel(DemoFunnel funnel)
    {
        var unit = QueryNames.TryParseWindowUnit(funnel.LengthUnit, out var parsed) ? parsed : WindowUnit.Day;
        return new SavedFunnel(funnel.Id, funnel.Name, [.. funnel.Steps.Select(s => s.Event)], unit == WindowUnit.Day ? funnel.Length : 1)
        {
            StepFilters = [.. funnel.Steps.Select(s => s.Where)],
            StepLabels = [.. funnel.Steps.Select(s => s.Label)],
            WindowOverride = (funnel.Length, unit),
        };
    }

    // What each saved report computes, read from its params.
    private static SavedReport Report(DemoBookmark bookmark)
    {
        var report = new SavedReport(bookmark.Id, bookmark.Name, bookmark.Type, bookmark.Description, bookmark.Created, bookmark.Modified) { ParamsJson = bookmark.ParamsJson };
        using var document = JsonDocument.Parse(bookmark.ParamsJson);
        var sections = document.RootElement.GetProperty("sections");
        var behavior = sections.GetProperty("show")[0].GetProperty("behavior");
        var breakdown = sections.TryGetProperty("group", out var group) && group.GetArrayLength() > 0 ? group[0].GetProperty("value").GetString() : null;
        var on = breakdown is null ? null : MixpanelExpression.Property(breakdown);
        var time = sections.TryGetProperty("time", out var t) && t.GetArrayLength() > 0 ? t[0] : default;
        var lastDays = time.ValueKind == JsonValueKind.Object ? time.GetProperty("window").GetProperty("value").GetInt32() : 30;
        var unit = time.ValueKind == JsonValueKind.Object && QueryNames.TryParseTimeUnit(time.GetProperty("unit").GetString(), out var u) ? u : TimeUnit.Day;
        switch (bookmark.Type)
        {
            case "funnels":
                return report with { FunnelId = bookmark.Id, LastDays = lastDays };
            case "retention":
                {
                    var behaviors = behavior.GetProperty("behaviors");
                    var returning = behaviors[1].GetProperty("name").GetString();
                    var retentionUnit = QueryNames.TryParseTimeUnit(behavior.GetProperty("retentionUnit").GetString(), out var ru) ? ru : TimeUnit.Day;
                    return report with
                    {
                        BornEvent = behaviors[0].GetProperty("name").GetString(),
                        ReturnEvent = returning == Analytics.SegmentationEngine.AnyEvent ? null : returning,
                        Unit = retentionUnit,
                        On = on,
                        LastDays = lastDays,
                    };
                }

            default:
                {
                    var math = sections.GetProperty("show")[0].GetProperty("measurement").GetProperty("math").GetString();
                    return report with
                    {
                        Events = [behavior.GetProperty("name").GetString()!],
                        Math = math == "unique" ? CountType.Unique : CountType.General,
                        Unit = unit,
                        On = on,
                        LastDays = lastDays,
                    };
                }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Another process may be using it; it is removed next time.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
