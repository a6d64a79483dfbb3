using System.Collections.Concurrent;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Hosting;

/// <summary>
/// Keeps stdio from dropping work at the end of input. The SDK's stream transport stops sending the moment its input
/// ends, so a client that writes its last requests and closes stdin would never get their answers. This tracks the
/// requests received and not yet answered — <see cref="Input"/> notes each request line as it is read, before the
/// transport sees it, and an outgoing message filter crosses it off when its answer is written — and holds back the
/// end of stdin from the transport to the transport only once they are all answered — or were cancelled by <c>notifications/cancelled</c>,
/// which the SDK honours and answers with nothing — or <see cref="DrainLimit"/> has passed.
/// </summary>
internal sealed class StdioDrain
{
    private readonly ConcurrentDictionary<RequestId, byte> _unanswered = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource _idle = Completed();

    public StdioDrain(TimeSpan drainLimit) => DrainLimit = drainLimit;

    /// <summary>How long the end of input waits for unanswered requests (a tool waiting on the departed client never ends).</summary>
    public TimeSpan DrainLimit { get; }

    /// <summary>How many requests are received and not yet answered.</summary>
    public int Unanswered => _unanswered.Count;

    /// <summary>Wraps <paramref name="stdin"/>: reads pass through; its end waits for the unanswered requests.</summary>
    public Stream Input(Stream stdin) => new DrainingStream(stdin, this);

    public McpMessageFilter Incoming() => next => async (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is not JsonRpcRequest request)
        {
            await next(context, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A request the client cancelled gets no answer, so nothing will come out for it.
            if (cancellationToken.IsCancellationRequested)
            {
                Answered(request.Id);
            }
        }
    };

    public McpMessageFilter Outgoing() => next => async (context, cancellationToken) =>
    {
        try
        {
            await next(context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (context.JsonRpcMessage is JsonRpcResponse or JsonRpcError && context.JsonRpcMessage is JsonRpcMessageWithId { Id: var id })
            {
                Answered(id);
            }
        }
    };

    /// <summary>Completes when nothing is unanswered, or after the drain limit.</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_lock)
        {
            idle = _idle.Task;
        }

        try
        {
            await idle.WaitAsync(DrainLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Give up on what is still running; the host then stops and cancels it.
        }
    }

    private void Track(RequestId id)
    {
        lock (_lock)
        {
            if (_unanswered.TryAdd(id, 0) && _unanswered.Count == 1)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private void Answered(RequestId id)
    {
        lock (_lock)
        {
            if (_unanswered.TryRemove(id, out _) && _unanswered.IsEmpty)
            {
                _idle.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    /// <summary>Notes the id of a request line (a JSON object with <c>method</c> and <c>id</c>); anything else is left alone.</summary>
    private void Note(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            RequestId? id = null;
            var hasMethod = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                var isMethod = reader.ValueTextEquals("method"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    id = new RequestId(reader.GetString()!);
                }
                else if (isId && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
                {
                    id = new RequestId(number);
                }
                else if (isMethod)
                {
                    hasMethod = reader.TokenType == JsonTokenType.String;
                }

                reader.Skip();
            }

            if (hasMethod && id is { } requestId)
            {
                Track(requestId);
            }
        }
        catch (JsonException)
        {
            // Not JSON: the transport answers it with a parse error, which the outgoing filter sees pass.
        }
    }

    private sealed class DrainingStream(Stream inner, StdioDrain drain) : Stream
    {
        private readonly List<byte> _partial = [];

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0 && buffer.Length > 0)
            {
                // End of input: the transport stops sending once it sees this, so first answer what was asked.
                if (_partial.Count > 0)
                {
                    drain.Note(_partial.ToArray());
                    _partial.Clear();
                }

                await drain.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }

            NoteLines(buffer.Span[..read]);
            return read;
        }

        private void NoteLines(ReadOnlySpan<byte> data)
        {
            while (data.IndexOf((byte)'\n') is var end and >= 0)
            {
                if (_partial.Count == 0)
                {
                    drain.Note(data[..end]);
                }
                else
                {
                    _partial.AddRange(data[..end]);
                    drain.Note(_partial.ToArray());
                    _partial.Clear();
                }

                data = data[(end + 1)..];
            }

            _partial.AddRange(data);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

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
    }
}
