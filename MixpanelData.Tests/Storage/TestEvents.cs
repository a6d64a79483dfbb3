using System.Globalization;
using System.Text;

namespace MixpanelData.Tests.Storage;

/// <summary>
/// Synthetic export lines with a known shape: event i is "Sign Up" / "Login" / "Purchase" for i % 3 = 0 / 1 / 2,
/// user "u{i % 1000}", time 2024-01-01T00:00:00Z + i seconds, insert id "id-{i}", $browser Chrome (even i) or Firefox (odd i).
/// </summary>
internal static class TestEvents
{
    public const long Start = 1704067200; // 2024-01-01T00:00:00Z

    public static string Line(int i)
    {
        var name = (i % 3) switch { 0 => "Sign Up", 1 => "Login", _ => "Purchase" };
        var browser = i % 2 == 0 ? "Chrome" : "Firefox";
        return string.Create(CultureInfo.InvariantCulture,
            $"{{\"event\":\"{name}\",\"properties\":{{\"time\":{Start + i},\"distinct_id\":\"u{i % 1000}\",\"$insert_id\":\"id-{i}\",\"$browser\":\"{browser}\",\"plan\":\"p{i % 5}\"}}}}");
    }

    public static MemoryStream Stream(int from, int count, params string[] extraLines)
    {
        var builder = new StringBuilder();
        for (var i = from; i < from + count; i++)
        {
            builder.Append(Line(i)).Append('\n');
        }
        foreach (var extra in extraLines)
        {
            builder.Append(extra).Append('\n');
        }
        return new MemoryStream(Encoding.UTF8.GetBytes(builder.ToString()));
    }
}

/// <summary>A stream that fails (or waits for cancellation) after a number of bytes, like a connection dropping mid-export.</summary>
internal sealed class FailingStream(Stream inner, long failAfter, Exception? failure = null) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= failAfter)
        {
            if (failure is not null)
            {
                throw failure;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        var allowed = (int)Math.Min(buffer.Length, failAfter - _position);
        var read = await inner.ReadAsync(buffer[..allowed], cancellationToken);
        _position += read;
        return read;
    }
}
