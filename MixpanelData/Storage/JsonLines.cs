using System.Buffers;

namespace MixpanelData.Storage;

/// <summary>
/// Framing of export JSONL read through a <see cref="System.IO.Pipelines.PipeReader"/>: lines end at <c>\n</c> and
/// are at most <see cref="MaxLineBytes"/> long. The store's ingest and the fetch's event stream both frame lines here.
/// </summary>
internal static class JsonLines
{
    /// <summary>The longest line read: a longer run without a newline is not export JSONL.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    /// <summary>Takes the first complete line (without its <c>\n</c>) off <paramref name="buffer"/>; false when none is complete yet.</summary>
    public static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var end = buffer.PositionOf((byte)'\n');
        if (end is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, end.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        return true;
    }
}
