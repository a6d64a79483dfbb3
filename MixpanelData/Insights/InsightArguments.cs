namespace MixpanelData.Insights;

/// <summary>Checks of an insight's arguments, with messages that say what to change (in the names the MCP tools use too).</summary>
internal static class InsightArguments
{
    public static void Range(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException($"{name} must be between {min} and {max}, not {value}.");
        }
    }

    /// <summary>The range, refused when reversed.</summary>
    public static (DateOnly From, DateOnly To) Days(DateOnly from, DateOnly to) =>
        from > to ? throw new ArgumentException($"from_date {from:yyyy-MM-dd} is after to_date {to:yyyy-MM-dd}; swap them.") : (from, to);
}
