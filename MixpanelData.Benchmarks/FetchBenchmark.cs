using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MixpanelData.Configuration;
using MixpanelData.Fetching;
using MixpanelData.Storage;

namespace MixpanelData.Benchmarks;

/// <summary>
/// The <c>fetch</c> phases of the ingestion benchmark: <c>ws.Fetch.EventsAsync</c> over loopback HTTP, the library's
/// whole path (Refit, the Http core with its rate limiter and gzip, windows downloading ahead, the store's one parse
/// per line into DuckDB.NET's appender, staged publish) into an ephemeral file-backed store.
/// <para>
/// The same JSONL file the other phases read is cut into <see cref="Windows"/> parts of consecutive lines, each gzipped
/// once into a file next to it (before the clock starts). A minimal HTTP/1.1 server in the same process answers the
/// export request for day <c>k</c> of a 10-day range with part <c>k</c>, gzip-encoded, straight from disk; the fetch asks
/// for the 10 days with one-day windows, so it sends 10 export requests. <c>fetch</c> runs with the default 3 requests
/// open at once; <c>fetch-serial</c> loads window after window (the path before windows overlapped).
/// </para>
/// </summary>
internal static class FetchBenchmark
{
    public const int Windows = 10;

    private static readonly DateOnly FirstDay = new(2026, 1, 1);

    /// <summary>Cuts <paramref name="file"/> into gzipped parts (once; they are kept next to it).</summary>
    public static IReadOnlyList<string> Parts(string file)
    {
        var parts = Enumerable.Range(0, Windows).Select(i => $"{file}.part{i}.gz").ToList();
        if (parts.All(File.Exists))
        {
            return parts;
        }

        var lines = File.ReadLines(file).LongCount();
        var perPart = (lines + Windows - 1) / Windows;
        using var reader = new StreamReader(file, Encoding.UTF8, false, 1 << 20);
        for (var i = 0; i < Windows; i++)
        {
            using var output = new GZipStream(File.Create(parts[i]), CompressionLevel.Fastest);
            using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 20);
            for (long n = 0; n < perPart && reader.ReadLine() is { } line; n++)
            {
                writer.Write(line);
                writer.Write('\n');
            }
        }

        return parts;
    }

    /// <summary>Runs one fetch phase in this (child) process; returns the rows stored and the seconds the fetch took.</summary>
    public static async Task<(long Rows, double Seconds)> RunAsync(string file, bool serial)
    {
        var parts = Parts(file);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var server = ServeAsync(listener, parts, stop.Token);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        await using var ws = new Workspace(new WorkspaceOptions
        {
            Account = new MixpanelAccount("bench", new Credentials("bench.user", "bench-secret", 1, MixpanelRegion.Us), "benchmark")
            {
                QueryUrl = new Uri(baseUri, "api/query"),
                ExportUrl = new Uri(baseUri, "api/2.0"),
                AppUrl = new Uri(baseUri, "api/app"),
            },
            Store = new LocalStoreOptions { Mode = LocalStoreMode.Ephemeral, MemoryLimit = Environment.GetEnvironmentVariable("BENCH_MEMORY_LIMIT") },
        });
        if (serial)
        {
            ws.Fetch.ConcurrentWindows = 1;
        }

        var watch = Stopwatch.StartNew();
        var result = await ws.Fetch.EventsAsync(new FetchEventsRequest(FirstDay, FirstDay.AddDays(Windows - 1)) { WindowDays = 1 });
        watch.Stop();
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await server;
        }
        catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        if (result.MalformedLines > 0 || result.Retries > 0)
        {
            throw new InvalidOperationException($"The fetch saw {result.MalformedLines} malformed line(s) and {result.Retries} retried window(s); the figures would not compare.");
        }

        return (result.TableRowCount, watch.Elapsed.TotalSeconds);
    }

    private static async Task ServeAsync(TcpListener listener, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            connections.Add(Task.Run(() => AnswerAsync(client, parts, cancellationToken), cancellationToken));
        }

        await Task.WhenAll(connections);
    }

    // One request per connection: the head is read, the part for its from_date is sent gzip-encoded, the connection closed.
    private static async Task AnswerAsync(TcpClient client, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[8192];
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            var target = head.ToString().Split(' ', 3)[1];
            var query = System.Web.HttpUtility.ParseQueryString(new Uri(new Uri("http://x"), target).Query);
            if (!target.Contains("/export", StringComparison.Ordinal) || query["from_date"] is not { } from)
            {
                await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken);
                return;
            }

            var index = DateOnly.ParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - FirstDay.DayNumber;
            await using var part = new FileStream(parts[index], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var header = $"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nContent-Encoding: gzip\r\nContent-Length: {part.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(header), cancellationToken);
            await part.CopyToAsync(stream, 1 << 16, cancellationToken);
        }
    }
}
