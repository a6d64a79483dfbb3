using System.IO.Compression;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MixpanelData.Analytics;
using MixpanelData.Analytics.Expressions;

namespace MixpanelData.Emulation;

/// <summary>
/// <c>/api/2.0/export</c>: the raw events as newline-delimited JSON in Mixpanel's export shape, streamed day by
/// day (memory holds one day, never the range), gzip-compressed when the client accepts it. Stream faults
/// (dropped connection, <c>terminated early</c>, a malformed line) are played here.
/// </summary>
internal sealed class ExportEndpoint(EmulatorContext context)
{
    public const int MaxLimit = 100_000;

    public Task<HttpResponseMessage> AnswerAsync(EmulatorRequest request, EmulatorFault? fault, IDisposable admission, CancellationToken cancellationToken)
    {
        var (from, to) = context.Range(request, export: true);
        var events = request.StringArray("event");
        var where = request.Optional("where");
        var limit = request.Integer("limit", int.MaxValue, 1, MaxLimit);
        if (request.Optional("limit") is null)
        {
            limit = int.MaxValue;
        }

        var timeInMs = request.Boolean("time_in_ms", false);

        // Parse up front so a bad expression is a 400, not a broken stream.
        if (where is not null)
        {
            MixpanelExpression.Parse(where).ToFilterSql(ExpressionColumns.Events(), new SqlParameters());
        }

        var streamFault = fault?.Kind is EmulatorFaultKind.DropConnection or EmulatorFaultKind.TerminatedEarly or EmulatorFaultKind.MalformedLine ? fault : null;
        var content = new ExportContent(this, new Plan(from, to, events, where, limit, timeInMs, streamFault), request.AcceptsGzip, admission);
        _ = cancellationToken;
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
    }

    private sealed record Plan(DateOnly From, DateOnly To, IReadOnlyList<string>? Events, string? Where, int Limit, bool TimeInMs, EmulatorFault? Fault);

    private async Task WriteAsync(Plan plan, Stream output, CancellationToken cancellationToken)
    {
        var table = new EngineTable(context.Project.Store, context.Project.EventsTable);
        var written = 0L;
        var newline = "\n"u8.ToArray();
        for (var day = plan.From; day <= plan.To && written < plan.Limit; day = day.AddDays(1))
        {
            var parameters = new SqlParameters();
            var filter = EngineTable.Filter(plan.Where, ExpressionColumns.Events(), parameters);
            var eventFilter = plan.Events is null ? "true" : plan.Events.Count == 0 ? "false" : $"event_name IN ({string.Join(", ", plan.Events.Select(parameters.Add))})";
            var daySql = parameters.Add(TimeBuckets.Midnight(day));
            var limitSql = parameters.Add(plan.Limit - written);
            var properties = plan.TimeInMs
                ? "CAST(json_merge_patch(properties, json_object('time', epoch_ms(event_time))) AS VARCHAR)"
                : "CAST(properties AS VARCHAR)";
            var rows = await table.QueryAsync(
                $"""
                SELECT json_object('event', event_name, 'properties', json({properties}))
                FROM {table.Sql}
                WHERE event_time >= CAST({daySql} AS TIMESTAMP) AND event_time < CAST({daySql} AS TIMESTAMP) + INTERVAL 1 DAY
                  AND {eventFilter} AND {filter}
                ORDER BY event_time, insert_id
                LIMIT {limitSql}
                """,
                parameters,
                cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                if (plan.Fault is { } fault && written == fault.AfterLines)
                {
                    switch (fault.Kind)
                    {
                        case EmulatorFaultKind.DropConnection:
                            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                            throw new IOException("The emulator dropped the connection (planned fault).");
                        case EmulatorFaultKind.TerminatedEarly:
                            await output.WriteAsync("terminated early\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                            return;
                        case EmulatorFaultKind.MalformedLine:
                            await output.WriteAsync("{\"event\": \"Broken\", \"properties\": {\"time\": \n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
                            break;
                    }
                }

                await output.WriteAsync(Encoding.UTF8.GetBytes((string)row[0]!), cancellationToken).ConfigureAwait(false);
                await output.WriteAsync(newline, cancellationToken).ConfigureAwait(false);
                written++;
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Content produced while it is read: a pipe connects the writer (querying day by day) to the reader, so
    /// neither an in-process client nor Kestrel buffers the whole export.
    /// </summary>
    private sealed class ExportContent : HttpContent
    {
        private readonly ExportEndpoint _owner;
        private readonly Plan _plan;
        private readonly bool _gzip;
        private IDisposable? _admission;

        public ExportContent(ExportEndpoint owner, Plan plan, bool gzip, IDisposable admission)
        {
            _owner = owner;
            _plan = plan;
            _gzip = gzip;
            _admission = admission;
            Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
            if (gzip)
            {
                Headers.ContentEncoding.Add("gzip");
            }
        }

        protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        {
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19));
            var tail = new TailFailure();
            _ = Task.Run(async () =>
            {
                try
                {
                    await WriteBodyAsync(pipe.Writer.AsStream(leaveOpen: true), CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // Like a reset connection: what was sent can still be read, then reading fails.
                    tail.Failure = ex as IOException ?? new IOException("The export stream failed.", ex);
                }
                finally
                {
                    Release();
                }

                await pipe.Writer.CompleteAsync().ConfigureAwait(false);
            }, CancellationToken.None);
            return Task.FromResult<Stream>(new FailAtEndStream(pipe.Reader.AsStream(), tail));
        }

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            try
            {
                await WriteBodyAsync(stream, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Release();
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Release();
            }

            base.Dispose(disposing);
        }

        private async Task WriteBodyAsync(Stream target, CancellationToken cancellationToken)
        {
            if (!_gzip)
            {
                await _owner.WriteAsync(_plan, target, cancellationToken).ConfigureAwait(false);
                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            // On failure the gzip trailer is not written, as on a connection that really broke: a client must
            // not see a complete stream. (The undisposed deflater is reclaimed by its finalizer.)
            var gzip = new GZipStream(target, CompressionLevel.Fastest, leaveOpen: true);
            await _owner.WriteAsync(_plan, gzip, cancellationToken).ConfigureAwait(false);
            await gzip.DisposeAsync().ConfigureAwait(false);

            await target.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        private void Release() => Interlocked.Exchange(ref _admission, null)?.Dispose();
    }

    private sealed class TailFailure
    {
        public volatile IOException? Failure;
    }

    /// <summary>Reads through to the end, then throws the writer's failure instead of reporting a clean end.</summary>
    private sealed class FailAtEndStream(Stream inner, TailFailure tail) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Check(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Check(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Check(int read) => read == 0 && tail.Failure is { } failure ? throw failure : read;
    }
}
