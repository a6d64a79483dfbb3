using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MixpanelData.Emulation.Demo;

/// <summary>Decides, user by user, everything about the population before any event is written.</summary>
internal static class DemoPopulation
{
    private const int PairCount = 25 * 20;

    public static DemoUser[] Build(DemoDatasetOptions options)
    {
        var days = options.Days;
        var signupCumulative = SignupCumulativeWeights(options);
        var weekday = WeekdayFactors(options);
        var companyCount = Math.Max(20, options.UserCount / 6);
        var seedMix = DemoRandom.Mix((ulong)(uint)options.Seed ^ 0x5851F42D4C957F2DUL);
        var emails = new HashSet<string>(options.UserCount, StringComparer.Ordinal);
        var users = new DemoUser[options.UserCount];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = BuildUser(options, i, days, signupCumulative, weekday, companyCount, seedMix, emails);
        }

        return users;
    }

    /// <summary>Relative level of each day of the window (day of week only).</summary>
    public static double[] WeekdayFactors(DemoDatasetOptions options)
    {
        var factors = new double[options.Days];
        for (var d = 0; d < factors.Length; d++)
        {
            factors[d] = DemoStories.WeekdayFactor[(int)options.FirstDay.AddDays(d).DayOfWeek];
        }

        return factors;
    }

    private static double[] SignupCumulativeWeights(DemoDatasetOptions options)
    {
        var cumulative = new double[options.Days];
        var total = 0.0;
        for (var d = 0; d < cumulative.Length; d++)
        {
            var growth = 1.0 + (DemoStories.SignupGrowth * d / (options.Days - 1));
            total += growth * DemoStories.WeekdayFactor[(int)options.FirstDay.AddDays(d).DayOfWeek];
            cumulative[d] = total;
        }

        return cumulative;
    }

    private static DemoUser BuildUser(
        DemoDatasetOptions options, int index, int days, double[] signupCumulative, double[] weekday, int companyCount, ulong seedMix, HashSet<string> emails)
    {
        var r = DemoRandom.Create(options.Seed, DemoStream.User, index);
        var preExisting = r.Chance(DemoStories.PreExistingShare);

        var channel = DemoVocabulary.Channels.Draw(ref r);
        var campaigns = DemoVocabulary.ChannelCampaigns[(int)channel];
        var campaign = campaigns.Length == 0 ? -1 : r.Next(campaigns.Length);

        var platform = DemoVocabulary.Platforms.Draw(ref r);
        var browser = DemoBrowser.None;
        var browserVersion = 0;
        string os;
        string? device = null;
        string? model = null;
        switch (platform)
        {
            case DemoPlatform.Web:
                browser = DemoVocabulary.Browsers.Draw(ref r);
                var versions = DemoVocabulary.BrowserVersions[(int)browser];
                browserVersion = versions[r.Next(versions.Length)];
                os = browser switch
                {
                    DemoBrowser.Safari => "Mac OS X",
                    DemoBrowser.Edge or DemoBrowser.Opera => "Windows",
                    DemoBrowser.Firefox => DemoVocabulary.FirefoxOperatingSystems.Draw(ref r),
                    _ => DemoVocabulary.ChromeOperatingSystems.Draw(ref r),
                };
                break;
            case DemoPlatform.IOS:
                os = "iOS";
                device = DemoVocabulary.IosDevices.Draw(ref r);
                break;
            default:
                os = "Android";
                device = "Android";
                model = DemoVocabulary.AndroidModels.Draw(ref r);
                break;
        }

        var country = DemoVocabulary.Countries.Draw(ref r);
        var city = r.Chance(0.3) ? country.Cities[0] : country.Cities[r.Next(country.Cities.Length)];

        // Squaring the draw crowds users into the low company indices, which are the large companies.
        var u = r.NextDouble();
        var companyIndex = (int)(companyCount * u * u);
        var (company, domain, companySize) = Company(companyIndex, companyCount);

        var firstName = DemoVocabulary.FirstNames[r.Next(DemoVocabulary.FirstNames.Length)];
        var lastName = DemoVocabulary.LastNames[r.Next(DemoVocabulary.LastNames.Length)];
        var email = UniqueEmail(firstName, lastName, domain, emails);
        var role = DemoVocabulary.RoleWeights.Draw(ref r);
        var signupMethod = DemoVocabulary.SignupMethodWeights.Draw(ref r);
        var versionLag = platform == DemoPlatform.Web ? 0 : (int)Math.Min(30, r.Exponential(4));

        var signupDay = preExisting ? -1 - r.Next(DemoStories.PreExistingSignupSpreadDays) : DrawDay(ref r, signupCumulative);

        // Story (a): most Safari sign-up attempts on the broken days fail; those users retry after the hotfix.
        var blockedAttemptDay = -1;
        var dropStart = DemoStories.SafariDropStartIndex(days);
        var dropEnd = dropStart + DemoStories.SafariDropDays - 1;
        if (!preExisting && browser == DemoBrowser.Safari && signupDay >= dropStart && signupDay <= dropEnd
            && r.Chance(DemoStories.SafariBlockedShare))
        {
            blockedAttemptDay = signupDay;
            signupDay = dropEnd + 1 + r.Next(DemoStories.SafariRetryWithinDays);
        }

        var sizeFactor = companySize switch
        {
            DemoCompanySize.Solo => 0.9,
            DemoCompanySize.Small => 1.0,
            DemoCompanySize.Medium => 1.05,
            _ => 1.1,
        };
        var engagement = Math.Clamp(Math.Exp(0.45 * r.Normal()), 0.3, 2.5) * sizeFactor;

        // Story (c): lifetimes depend on the acquisition channel.
        var meanLifetime = DemoStories.MeanLifetimeDays[(int)channel];
        int churnDay;
        var immediateChurn = false;
        if (preExisting)
        {
            churnDay = r.Chance(0.1) ? 0 : (int)Math.Ceiling(r.Exponential(1.5 * meanLifetime));
        }
        else
        {
            immediateChurn = r.Chance(DemoStories.ImmediateChurn[(int)channel]);
            churnDay = signupDay + 1 + (immediateChurn ? 0 : (int)Math.Ceiling(r.Exponential(meanLifetime)));
        }

        // Plans: some pre-existing users already pay; others may upgrade. Paying users stay much longer.
        var initialPlan = DemoPlan.Free;
        var initialPeriod = DemoBillingPeriod.Monthly;
        var anchor = 0;
        if (preExisting && churnDay > 0
            && r.Chance(1.5 * DemoStories.UpgradeRate[(int)companySize] * DemoStories.UpgradeChannelFactor[(int)channel]))
        {
            initialPlan = r.Chance(DemoStories.BusinessShare[(int)companySize]) ? DemoPlan.Business : DemoPlan.Pro;
            initialPeriod = r.Chance(DemoStories.AnnualBillingShare) ? DemoBillingPeriod.Annual : DemoBillingPeriod.Monthly;
            anchor = r.Next(initialPeriod == DemoBillingPeriod.Monthly ? 30 : 365);
            churnDay = Math.Max(churnDay, (int)Math.Ceiling(r.Exponential(DemoStories.PaidMeanLifetimeDays)));
        }

        var upgradeTarget = -1;
        var upgradePlan = DemoPlan.Free;
        var upgradePeriod = DemoBillingPeriod.Monthly;
        var paymentFails = false;
        var paymentAbandoned = false;
        if (initialPlan == DemoPlan.Free && !immediateChurn && churnDay > 0
            && r.Chance(DemoStories.UpgradeRate[(int)companySize] * DemoStories.UpgradeChannelFactor[(int)channel]))
        {
            upgradeTarget = preExisting ? r.Next(days) : signupDay + 1 + (int)r.Exponential(8);
            upgradePlan = r.Chance(DemoStories.BusinessShare[(int)companySize]) ? DemoPlan.Business : DemoPlan.Pro;
            upgradePeriod = r.Chance(DemoStories.AnnualBillingShare) ? DemoBillingPeriod.Annual : DemoBillingPeriod.Monthly;
            paymentFails = r.Chance(DemoStories.PaymentFailureRate);
            paymentAbandoned = paymentFails && r.Chance(DemoStories.PaymentAbandonRate);
            if (upgradeTarget < churnDay && !paymentAbandoned)
            {
                churnDay = Math.Max(churnDay, upgradeTarget + 1 + (int)Math.Ceiling(r.Exponential(DemoStories.PaidMeanLifetimeDays)));
            }
        }

        var active = UInt128.Zero;
        var end = Math.Min(days, churnDay);
        for (var d = Math.Max(0, signupDay); d < end; d++)
        {
            if (d == signupDay)
            {
                active |= UInt128.One << d;
                continue;
            }

            var age = d - signupDay;
            var p = engagement * (0.30 + (0.30 * Math.Exp(-age / 4.0))) * weekday[d];
            if (r.Chance(Math.Min(p, 0.95)))
            {
                active |= UInt128.One << d;
            }
        }

        var renewals = UInt128.Zero;
        if (initialPlan != DemoPlan.Free)
        {
            var period = initialPeriod == DemoBillingPeriod.Monthly ? 30 : 365;
            for (var d = anchor; d < days; d += period)
            {
                renewals |= UInt128.One << d;
            }
        }

        // The upgrade happens in the first session on or after the target day.
        var upgradeDay = -1;
        if (upgradeTarget >= 0)
        {
            for (var d = Math.Max(0, upgradeTarget); d < end; d++)
            {
                if (((active >> d) & UInt128.One) != UInt128.Zero)
                {
                    upgradeDay = d;
                    break;
                }
            }

            if (upgradeDay >= 0 && !paymentAbandoned && upgradePeriod == DemoBillingPeriod.Monthly)
            {
                for (var d = upgradeDay + 30; d < days; d += 30)
                {
                    renewals |= UInt128.One << d;
                }
            }
        }

        // Paying users who churn inside the window cancel in their last session.
        var cancelDay = -1;
        var pays = initialPlan != DemoPlan.Free || (upgradeDay >= 0 && !paymentAbandoned);
        if (pays && churnDay < days && active != UInt128.Zero)
        {
            var last = 127 - (int)UInt128.LeadingZeroCount(active);
            if (initialPlan != DemoPlan.Free || last > upgradeDay)
            {
                cancelDay = last;
                renewals &= (UInt128.One << cancelDay) - UInt128.One;
            }
        }

        var idHigh = DemoRandom.Mix((ulong)index ^ seedMix);
        var idLow = DemoRandom.Mix(idHigh ^ 0x2545F4914F6CDD1DUL);
        var distinctId = FormatUuid(idHigh, idLow);

        return new DemoUser
        {
            Index = index,
            DistinctId = distinctId,
            DistinctIdJson = JsonEncodedText.Encode(distinctId),
            PreExisting = preExisting,
            SignupDay = signupDay,
            BlockedAttemptDay = blockedAttemptDay,
            Channel = channel,
            Campaign = campaign,
            Platform = platform,
            Browser = browser,
            BrowserVersion = browserVersion,
            Os = os,
            Device = device,
            Model = model,
            Country = country,
            City = city,
            Company = company,
            CompanySize = companySize,
            FirstName = firstName,
            LastName = lastName,
            Email = email,
            Role = role,
            SignupMethod = signupMethod,
            VersionLag = versionLag,
            ChurnDay = churnDay,
            ActiveDays = active,
            RenewalDays = renewals,
            InitialPlan = initialPlan,
            InitialPeriod = initialPeriod,
            UpgradeDay = upgradeDay,
            UpgradePlan = upgradePlan,
            UpgradePeriod = upgradePeriod,
            PaymentFails = paymentFails,
            PaymentAbandoned = paymentAbandoned,
            CancelDay = cancelDay,
        };
    }

    private static int DrawDay(ref DemoRandom r, double[] cumulative)
    {
        var target = r.NextDouble() * cumulative[^1];
        var index = Array.BinarySearch(cumulative, target);
        return index >= 0 ? Math.Min(index + 1, cumulative.Length - 1) : ~index;
    }

    /// <summary>Company <paramref name="index"/>: low indices are the large companies.</summary>
    private static (string Name, string Domain, DemoCompanySize Size) Company(int index, int count)
    {
        // 7919 is coprime with 500, so the first 500 companies get distinct word pairs.
        var pair = (int)((index * 7919L) % PairCount);
        var generation = index / PairCount;
        var first = DemoVocabulary.CompanyWords1[pair / 20];
        var second = DemoVocabulary.CompanyWords2[pair % 20];
        var name = generation == 0 ? $"{first} {second}" : string.Create(CultureInfo.InvariantCulture, $"{first} {second} {generation + 1}");
        var domain = string.Create(CultureInfo.InvariantCulture, $"{first}{second}{(generation == 0 ? "" : (generation + 1).ToString(CultureInfo.InvariantCulture))}.example")
            .ToLowerInvariant();
        var rank = (index + 0.5) / count;
        var size = rank switch
        {
            < 0.02 => DemoCompanySize.Enterprise,
            < 0.06 => DemoCompanySize.Large,
            < 0.18 => DemoCompanySize.Medium,
            < 0.45 => DemoCompanySize.Small,
            _ => DemoCompanySize.Solo,
        };
        return (name, domain, size);
    }

    private static string UniqueEmail(string first, string last, string domain, HashSet<string> taken)
    {
        var local = $"{Ascii(first)}.{Ascii(last)}";
        var email = $"{local}@{domain}";
        for (var n = 2; !taken.Add(email); n++)
        {
            email = string.Create(CultureInfo.InvariantCulture, $"{local}{n}@{domain}");
        }

        return email;
    }

    private static string Ascii(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetter(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }

    private static string FormatUuid(ulong high, ulong low) =>
        string.Create(CultureInfo.InvariantCulture, $"{high >> 32:x8}-{(high >> 16) & 0xFFFF:x4}-{high & 0xFFFF:x4}-{low >> 48:x4}-{low & 0xFFFFFFFFFFFFUL:x12}");
}
