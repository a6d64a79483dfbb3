namespace MixpanelData.Storage;

/// <summary>
/// A DuckDB <c>INTERVAL</c> as returned in query rows. Months and days are kept apart from the
/// microseconds because their length depends on the calendar, exactly as in DuckDB.
/// </summary>
/// <param name="Months">Whole months.</param>
/// <param name="Days">Whole days.</param>
/// <param name="Microseconds">The remaining time in microseconds.</param>
public readonly record struct StoreInterval(int Months, int Days, long Microseconds);
