namespace MixpanelData.Tests.Emulation;

/// <summary>A write-only stream that hands each complete <c>\n</c>-terminated line to a callback, so a large export can be checked without holding it.</summary>
internal sealed class LineSplittingStream(Action<ReadOnlyMemory<byte>> onLine) : Stream
{
    private byte[] _pending = new byte[64 * 1024];
    private int _pendingCount;

    public long Bytes { get; private set; }

    public long Lines { get; private set; }

    /// <summary>Bytes written after the last newline (a well-formed JSONL body leaves none).</summary>
    public int Unterminated => _pendingCount;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Bytes;

    public override long Position { get => Bytes; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Bytes += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var newline = buffer.IndexOf((byte)'\n');
            var part = newline < 0 ? buffer : buffer[..newline];
            if (_pendingCount + part.Length > _pending.Length)
            {
                Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingCount + part.Length));
            }

            part.CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += part.Length;
            if (newline < 0)
            {
                return;
            }

            Lines++;
            onLine(_pending.AsMemory(0, _pendingCount));
            _pendingCount = 0;
            buffer = buffer[(newline + 1)..];
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
