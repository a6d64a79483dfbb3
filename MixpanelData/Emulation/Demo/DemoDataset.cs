using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Emulation.Demo;

/// <summary>
/// The synthetic demo project: a SaaS product ("Flowboard") with users, events, profiles and saved reports,
/// generated deterministically from <see cref="DemoDatasetOptions"/>. Events are produced day by day and never
/// held all at once, so writing any range of days is cheap. Safe to use from several threads.
/// </summary>
/// <remarks>docs/demo.md describes the product, its events and the stories planted in it.</remarks>
public sealed class DemoDataset
{
    private const int FlushThreshold = 1 << 20;

    private readonly DemoUser[] _users;
    private readonly DemoDayGenerator _generator;
    private readonly DemoEventWriter _writer;
    private readonly Lazy<IReadOnlyList<DemoProfile>> _profiles;
    private readonly Lazy<DemoDefinitions> _definitions;

    private DemoDataset(DemoDatasetOptions options)
    {
        Options = options;
        Releases = new DemoReleases(options.Days);
        _users = DemoPopulation.Build(options);
        _generator = new DemoDayGenerator(options, _users, Releases);
        _writer = new DemoEventWriter(options, _users, Releases);
        _profiles = new Lazy<IReadOnlyList<DemoProfile>>(BuildProfiles, LazyThreadSafetyMode.ExecutionAndPublication);
        _definitions = new Lazy<DemoDefinitions>(() => DemoDefinitions.Build(Options, Profiles), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The options this dataset was generated from.</summary>
    public DemoDatasetOptions Options { get; }

    /// <summary>The first (UTC) day with events.</summary>
    public DateOnly FirstDay => Options.FirstDay;

    /// <summary>The last (UTC) day with events.</summary>
    public DateOnly LastDay => Options.LastDay;

    /// <summary>The number of users, each with a profile.</summary>
    public int UserCount => _users.Length;

    internal IReadOnlyList<DemoUser> Users => _users;

    internal DemoReleases Releases { get; }

    /// <summary>Every user's profile, in user order.</summary>
    internal IReadOnlyList<DemoProfile> Profiles => _profiles.Value;

    /// <summary>Saved funnels, cohorts and bookmarks.</summary>
    internal DemoDefinitions Definitions => _definitions.Value;

    /// <summary>Decides the population (a fraction of a second for 30,000 users); events are generated when read.</summary>
    /// <exception cref="ArgumentException">The options are out of range.</exception>
    public static DemoDataset Create(DemoDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new DemoDataset(options);
    }

    /// <summary>
    /// Writes the events of the (UTC) days <paramref name="from"/>..<paramref name="to"/> (inclusive, clamped to the
    /// window) as Mixpanel export JSONL: UTF-8, one <c>{"event":…,"properties":{…}}</c> object per line, ordered by time.
    /// </summary>
    public async Task WriteEventsAsync(Stream destination, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = new DemoEventWriter.LineBuffer();
        var day = new List<DemoEventRecord>();
        var (first, last) = DayRange(from, to);
        for (var d = first; d <= last; d++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _generator.GenerateDay(d, day);
            for (var i = 0; i < day.Count; i++)
            {
                buffer.AppendLine(_writer, day[i]);
                if (buffer.Count >= FlushThreshold)
                {
                    await destination.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
                    buffer.Clear();
                }
            }
        }

        await destination.WriteAsync(buffer.Written, cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes all events of the window as export JSONL; see <see cref="WriteEventsAsync(Stream, DateOnly, DateOnly, CancellationToken)"/>.</summary>
    public Task WriteEventsAsync(Stream destination, CancellationToken cancellationToken = default) =>
        WriteEventsAsync(destination, FirstDay, LastDay, cancellationToken);

    /// <summary>Writes the events of <paramref name="from"/>..<paramref name="to"/> as export JSONL text, one line per event.</summary>
    public async Task WriteEventsAsync(TextWriter destination, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = new DemoEventWriter.LineBuffer();
        var day = new List<DemoEventRecord>();
        var (first, last) = DayRange(from, to);
        for (var d = first; d <= last; d++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _generator.GenerateDay(d, day);
            for (var i = 0; i < day.Count; i++)
            {
                buffer.AppendLine(_writer, day[i]);
                if (buffer.Count >= FlushThreshold)
                {
                    // Chunks end at a newline, so no character is split.
                    await destination.WriteAsync(Encoding.UTF8.GetString(buffer.Written.Span).AsMemory(), cancellationToken).ConfigureAwait(false);
                    buffer.Clear();
                }
            }
        }

        await destination.WriteAsync(Encoding.UTF8.GetString(buffer.Written.Span).AsMemory(), cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes every profile as JSONL, one <c>/engage</c> result object per line:
    /// <c>{"$distinct_id":…,"$properties":{"$email":…,"$created":…,…}}</c>.
    /// </summary>
    public async Task WriteProfilesAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var buffer = new ArrayBufferWriter<byte>(FlushThreshold);
        using var writer = new Utf8JsonWriter(buffer, DemoEventWriter.WriterOptions);
        foreach (var profile in Profiles)
        {
            writer.Reset(buffer);
            profile.WriteTo(writer);
            writer.Flush();
            buffer.Write("\n"u8);
            if (buffer.WrittenCount >= FlushThreshold)
            {
                await destination.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                buffer.ResetWrittenCount();
            }
        }

        await destination.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SHA-256 (lowercase hex) of the full event JSONL, i.e. of what <see cref="WriteEventsAsync(Stream, CancellationToken)"/> writes.</summary>
    public string ComputeChecksum()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new DemoEventWriter.LineBuffer();
        var day = new List<DemoEventRecord>();
        for (var d = 0; d < Options.Days; d++)
        {
            _generator.GenerateDay(d, day);
            for (var i = 0; i < day.Count; i++)
            {
                buffer.AppendLine(_writer, day[i]);
                if (buffer.Count >= FlushThreshold)
                {
                    hash.AppendData(buffer.Written.Span);
                    buffer.Clear();
                }
            }
        }

        hash.AppendData(buffer.Written.Span);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The events of <paramref name="from"/>..<paramref name="to"/> (UTC days, clamped to the window), in time order.</summary>
    internal IEnumerable<DemoEvent> Events(DateOnly from, DateOnly to)
    {
        var (first, last) = DayRange(from, to);
        var buffer = new DemoEventWriter.LineBuffer();
        var day = new List<DemoEventRecord>();
        for (var d = first; d <= last; d++)
        {
            _generator.GenerateDay(d, day);
            for (var i = 0; i < day.Count; i++)
            {
                var e = day[i];
                buffer.Clear();
                buffer.AppendProperties(_writer, e);
                yield return new DemoEvent(
                    DemoEventNames.Names[(int)e.Kind], e.Time, _users[e.User].DistinctId, _writer.InsertIdOf(e), Encoding.UTF8.GetString(buffer.Written.Span));
            }
        }
    }

    /// <summary>All events of the window, in time order.</summary>
    internal IEnumerable<DemoEvent> Events() => Events(FirstDay, LastDay);

    /// <summary>Day indexes of the window covered by the requested dates; empty (first &gt; last) when they miss it.</summary>
    private (int First, int Last) DayRange(DateOnly from, DateOnly to)
    {
        var first = Math.Max(0, from.DayNumber - FirstDay.DayNumber);
        var last = Math.Min(Options.Days - 1, to.DayNumber - FirstDay.DayNumber);
        return (first, last);
    }

    private IReadOnlyList<DemoProfile> BuildProfiles()
    {
        var profiles = new DemoProfile[_users.Length];
        var scratch = new List<DemoEventRecord>();
        var windowStart = _generator.DayStart(0);
        for (var i = 0; i < _users.Length; i++)
        {
            var user = _users[i];
            var r = DemoRandom.Create(Options.Seed, DemoStream.Profile, i);
            long created;
            if (user.PreExisting)
            {
                // A local working hour on the sign-up day, kept inside that UTC day (so before the window).
                var second = ((8 * 3600) + r.Next(12 * 3600) - (user.City.UtcOffsetHours * 3600L) + 86_400) % 86_400;
                created = _generator.DayStart(user.SignupDay) + second;
            }
            else
            {
                scratch.Clear();
                _generator.AddUserDay(user, user.SignupDay, scratch);
                created = FirstTime(scratch, DemoEventKind.SignUp);
            }

            long lastSeen;
            var lastActive = user.LastActiveDay;
            if (lastActive >= 0)
            {
                scratch.Clear();
                _generator.AddUserDay(user, lastActive, scratch);
                lastSeen = LastClientTime(scratch);
            }
            else
            {
                lastSeen = created + (long)(r.NextDouble() * (windowStart - 1 - created));
            }

            var plan = user.FinalPlan(Options.Days);
            profiles[i] = new DemoProfile
            {
                DistinctId = user.DistinctId,
                Email = user.Email,
                FirstName = user.FirstName,
                LastName = user.LastName,
                Created = DateTime.UnixEpoch.AddSeconds(created),
                LastSeen = DateTime.UnixEpoch.AddSeconds(lastSeen),
                City = user.City.Name,
                Region = user.City.Region,
                CountryCode = user.Country.Code,
                Os = user.Os,
                Browser = user.Browser == DemoBrowser.None ? null : DemoVocabulary.BrowserNames[(int)user.Browser],
                Platform = DemoVocabulary.PlatformNames[(int)user.Platform],
                Plan = DemoVocabulary.PlanNames[(int)plan],
                UtmSource = DemoVocabulary.ChannelNames[(int)user.Channel],
                Company = user.Company,
                CompanySize = DemoVocabulary.CompanySizeNames[(int)user.CompanySize],
                Role = DemoVocabulary.Roles[user.Role],
                SignupMethod = DemoVocabulary.SignupMethods[user.SignupMethod],
            };
        }

        return profiles;
    }

    private static long FirstTime(List<DemoEventRecord> events, DemoEventKind kind)
    {
        foreach (var e in events)
        {
            if (e.Kind == kind)
            {
                return e.Time;
            }
        }

        throw new InvalidOperationException($"The sign-up session has no {kind} event.");
    }

    private static long LastClientTime(List<DemoEventRecord> events)
    {
        var last = long.MinValue;
        foreach (var e in events)
        {
            if (!e.Server && e.Time > last)
            {
                last = e.Time;
            }
        }

        return last;
    }
}
