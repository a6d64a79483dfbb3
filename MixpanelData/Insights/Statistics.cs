namespace MixpanelData.Insights;

/// <summary>
/// A two-proportion z-test of group A's rate against group B's (e.g. D7 retention of two cohorts). <see cref="Z"/> and
/// <see cref="PValue"/> are null, and <see cref="NotTestable"/> says why, when the samples are too small for the normal
/// approximation.
/// </summary>
/// <param name="SuccessesA">Successes in A.</param>
/// <param name="TotalA">A's size.</param>
/// <param name="SuccessesB">Successes in B.</param>
/// <param name="TotalB">B's size.</param>
/// <param name="Z">The z statistic.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="NotTestable">Why no test was made.</param>
public sealed record ProportionTest(long SuccessesA, long TotalA, long SuccessesB, long TotalB, double? Z, double? PValue, string? NotTestable)
{
    /// <summary>A's rate.</summary>
    public double RateA => TotalA == 0 ? 0 : (double)SuccessesA / TotalA;

    /// <summary>B's rate.</summary>
    public double RateB => TotalB == 0 ? 0 : (double)SuccessesB / TotalB;

    /// <summary>Significant at the 5% level (two-sided).</summary>
    public bool Significant => PValue is < 0.05;

    /// <summary>e.g. "z = 4.21, p &lt; 0.001" or the reason no test was made.</summary>
    public string Describe() => Z is { } z && PValue is { } p
        ? $"z = {z:0.00}, p {(p < 0.001 ? "< 0.001" : $"= {p:0.000}")}{(p < 0.05 ? " (significant at 5%)" : " (not significant at 5%)")}"
        : $"no test: {NotTestable}";
}

/// <summary>The few statistics the smart tools need, written out so that their results can be checked by hand.</summary>
internal static class Statistics
{
    /// <summary>The smallest count of successes and of failures per group for the normal approximation (the usual rule of 5).</summary>
    public const int MinimumPerCell = 5;

    /// <summary>Pooled two-proportion z-test, two-sided.</summary>
    public static ProportionTest TwoProportions(long successesA, long totalA, long successesB, long totalB)
    {
        if (successesA < 0 || successesB < 0 || successesA > totalA || successesB > totalB)
        {
            throw new ArgumentOutOfRangeException(nameof(successesA), "successes must be between 0 and the group's total.");
        }

        var smallest = Math.Min(Math.Min(successesA, totalA - successesA), Math.Min(successesB, totalB - successesB));
        if (totalA == 0 || totalB == 0 || smallest < MinimumPerCell)
        {
            var reason = totalA == 0 || totalB == 0
                ? "a group is empty"
                : $"too few users (each group needs at least {MinimumPerCell} who did and {MinimumPerCell} who did not; sizes {totalA:N0} and {totalB:N0})";
            return new ProportionTest(successesA, totalA, successesB, totalB, null, null, reason);
        }

        if (PooledZ(successesA, totalA, successesB, totalB) is not { } z)
        {
            return new ProportionTest(successesA, totalA, successesB, totalB, null, null, "no variation in either group");
        }

        return new ProportionTest(successesA, totalA, successesB, totalB, z, Erfc(Math.Abs(z) / Math.Sqrt(2)), null);
    }

    /// <summary>z of rate A − rate B with the pooled standard error; null when a group is empty or nothing varies.</summary>
    public static double? PooledZ(long successesA, long totalA, long successesB, long totalB)
    {
        if (totalA == 0 || totalB == 0)
        {
            return null;
        }

        var pooled = (double)(successesA + successesB) / (totalA + totalB);
        var standardError = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / totalA) + (1.0 / totalB)));
        return standardError == 0 ? null : (((double)successesA / totalA) - ((double)successesB / totalB)) / standardError;
    }

    /// <summary>The standard normal distribution function Φ(x).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>
    /// The complementary error function, by the Chebyshev fit of Press et al. (Numerical Recipes, §6.2), whose
    /// fractional error is below 1.2e-7 everywhere.
    /// </summary>
    public static double Erfc(double x)
    {
        var t = 1.0 / (1.0 + (0.5 * Math.Abs(x)));
        var poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806 + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        var value = t * Math.Exp((-x * x) + poly);
        return x >= 0 ? value : 2.0 - value;
    }
}
