using System.Collections.Immutable;

namespace MixpanelData.Emulation.Demo;

/// <summary>An immutable list of choices with relative weights, drawn from with one uniform number.</summary>
internal sealed class WeightedTable<T>
{
    private readonly ImmutableArray<double> _cumulative;

    public WeightedTable(params (T Item, double Weight)[] choices)
    {
        if (choices.Length == 0)
        {
            throw new ArgumentException("A weighted table needs at least one choice.", nameof(choices));
        }

        var items = ImmutableArray.CreateBuilder<T>(choices.Length);
        var cumulative = ImmutableArray.CreateBuilder<double>(choices.Length);
        var total = 0.0;
        foreach (var (item, weight) in choices)
        {
            total += weight;
            items.Add(item);
            cumulative.Add(total);
        }

        Items = items.MoveToImmutable();
        _cumulative = cumulative.MoveToImmutable();
        Total = total;
    }

    public ImmutableArray<T> Items { get; }

    public double Total { get; }

    public T Draw(ref DemoRandom random) => Items[DrawIndex(ref random)];

    public int DrawIndex(ref DemoRandom random)
    {
        var target = random.NextDouble() * Total;
        var cumulative = _cumulative;
        for (var i = 0; i < cumulative.Length - 1; i++)
        {
            if (target < cumulative[i])
            {
                return i;
            }
        }

        return cumulative.Length - 1;
    }
}
