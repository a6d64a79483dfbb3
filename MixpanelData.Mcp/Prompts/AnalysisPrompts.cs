using System.ComponentModel;
using System.Globalization;
using ModelContextProtocol.Server;

namespace MixpanelData.Mcp.Prompts;

/// <summary>
/// Analysis playbooks a user can start from their client's prompt menu. Each one is a plan in plain words that names
/// this server's real tools and resources; every argument has a default, and dates default to the last complete
/// 30 days (UTC). Tool names are written in backticks so a test can check that each one exists.
/// </summary>
[McpServerPromptType]
internal sealed class AnalysisPrompts(TimeProvider time)
{
    private DateOnly Yesterday => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-1);

    [McpServerPrompt(Name = "analytics_workflow", Title = "Analyse a Mixpanel project")]
    [Description("A step-by-step plan for answering a product question with this server: orient, discover, query live or locally, explain.")]
    public string AnalyticsWorkflow(
        [Description("The question to answer.")] string question = "How is the product doing, and what changed recently?")
    {
        return $$"""
            Answer this product question with the Mixpanel tools of this server: "{{question}}"

            1. Orient. Call `workspace_info` (or read workspace://info): which project, demo or live, which local tables exist.
            2. Discover the vocabulary before querying. Read schema://events (or call `list_events`), then `list_properties` and
               `list_property_values` for the events that matter. Saved definitions: schema://funnels, schema://cohorts,
               schema://bookmarks. Never guess an event name: the tools reject unknown names and suggest the closest ones.
            3. Choose where to compute.
               - A few aggregate questions: live tools `segmentation`, `event_counts`, `property_counts`, `funnel`,
                 `retention`, `frequency`. Each spends one of the project's 60 Query API calls per hour.
               - Many questions over the same period, or per-user detail: `fetch_events` once (use `safe_large_fetch` for
                 large ranges), then `sql`, `local_segmentation`, `local_funnel`, `local_retention`, `local_frequency`,
                 which cost nothing.
               - Quick looks without storing anything: analysis://trends/{event}/{days}, analysis://retention/{event}/weekly,
                 users://{id}/journey.
            4. Compare, do not just report: the same period one week or one month earlier, and a breakdown (`on`) by a
               property such as properties["platform"], properties["$browser"] or properties["utm_source"].
            5. For a drop, `diagnose_metric_drop`; for an open question in plain words, `ask_mixpanel`; for a health
               overview, `product_health_dashboard`.
            6. Answer in a few sentences with the numbers, the period, the comparison and how sure you are; say which
               tool produced each figure and what you did not check.
            """;
    }

    [McpServerPrompt(Name = "funnel_analysis", Title = "Analyse a funnel")]
    [Description("Find where users drop out of a saved funnel, and which segments convert best and worst.")]
    public string FunnelAnalysis(
        [Description("Saved funnel id (from schema://funnels); empty to choose one first.")] string funnel_id = "",
        [Description("First entry day, YYYY-MM-DD; default 30 days before to_date.")] string from_date = "",
        [Description("Last entry day, YYYY-MM-DD; default yesterday.")] string to_date = "",
        [Description("Breakdown expression for segments.")] string breakdown = "properties[\"platform\"]")
    {
        var (from, to) = Period(from_date, to_date);
        var which = string.IsNullOrWhiteSpace(funnel_id)
            ? "First read schema://funnels (or call `list_funnels`) and pick the funnel that matches the question; say which one you chose."
            : $"Analyse saved funnel {funnel_id.Trim()}.";
        return $"""
            Funnel analysis, entry days {from} to {to}. {which}

            1. Call `funnel` with funnel_id, from_date {from}, to_date {to}: note entered, completed, the overall conversion and
               the step with the lowest step conversion.
            2. Call `funnel` again with on = {breakdown} (every segment is kept). Compare each segment's conversion at the weak
               step with the overall rate; a segment far below the others points at a cause (a platform, a browser, a channel).
            3. Check whether the gap is new: the same funnel over the previous period of equal length.
            4. If the server offers it, `funnel_optimization_report` computes the worst step and best/worst segments for you;
               for a custom step sequence, `fetch_events` then `local_funnel` with your own steps and window_days.
            5. Report: the weakest step with its rate, the segments that explain it (with sizes, so small segments are not
               over-read), whether it changed, and one or two next checks.
            """;
    }

    [McpServerPrompt(Name = "retention_analysis", Title = "Analyse retention")]
    [Description("Measure how many users come back after a first event, by cohort and by segment.")]
    public string RetentionAnalysis(
        [Description("The event that starts a cohort.")] string @event = "Sign Up",
        [Description("Bucket: day, week or month.")] string unit = "week",
        [Description("Breakdown expression for segments.")] string breakdown = "properties[\"utm_source\"]")
    {
        var to = Yesterday;
        var from = to.AddDays(-83);
        return $"""
            Retention analysis: users whose first "{@event}" falls between {Day(from)} and {Day(to)}, returning per {unit}.

            1. Read analysis://retention/{Uri.EscapeDataString(@event)}/weekly for a quick weekly picture (12 weekly cohorts, return on any event).
            2. Call `retention` with born_event "{@event}", unit {unit}, from_date {Day(from)}, to_date {Day(to)}; read the
               weighted rates at {unit} 1, and at day 7 and 30 if you use days. Younger cohorts have had less time to return;
               do not compare them at later buckets.
            3. Call `retention` again with on = {breakdown} to see which segments keep users. Ratios between segments (for
               example 3x at day 7) say more than absolute rates.
            4. For a returning event other than "any event", set the event argument (for example a core action such as
               Create Project). For many variants, `fetch_events` once and use `local_retention`, which costs no Query API calls.
            5. `cohort_comparison` contrasts two saved cohorts (schema://cohorts) on activity and retention when available.
            6. Report the curve (early drop, where it flattens), the best and worst segments with their sizes, and what to try next.
            """;
    }

    [McpServerPrompt(Name = "local_analysis_workflow", Title = "Fetch once, analyse locally")]
    [Description("Download raw events once into the local DuckDB store, then answer many questions without spending Query API budget.")]
    public string LocalAnalysisWorkflow(
        [Description("First day to fetch, YYYY-MM-DD; default 7 days before to_date.")] string from_date = "",
        [Description("Last day to fetch, YYYY-MM-DD; default yesterday.")] string to_date = "",
        [Description("Comma-separated events to fetch; empty for all.")] string events = "")
    {
        var (from, to) = Period(from_date, to_date, days: 7);
        var only = string.IsNullOrWhiteSpace(events) ? "all events" : $"only the events {events.Trim()}";
        return $"""
            Local analysis of {only} from {from} to {to}.

            1. Read workspace://tables (or call `list_tables`): if a table already covers this range, reuse it.
            2. Otherwise call `fetch_events` with from_date {from}, to_date {to}{(string.IsNullOrWhiteSpace(events) ? string.Empty : " and the events list")};
               it reports progress per day. For a long range, `safe_large_fetch` estimates the volume first and asks before downloading.
               Profiles: `fetch_profiles` (optionally a cohort_id from schema://cohorts).
            3. Look at the data: `event_breakdown` (events, users, first and last time), `property_keys`, `column_stats` for a
               property such as properties.$browser, `sample`, `table_schema`.
            4. Ask questions: `local_segmentation`, `local_funnel`, `local_retention`, `local_frequency` take the same
               expressions as the live tools; `sql` (DuckDB) for anything else, reading JSON with properties->>'$browser';
               `sql_scalar` for one number.
            5. Keep results small: aggregate in SQL, and raise max_rows only when you need the rows themselves.
            6. Say which table and date range each figure comes from.
            """;
    }

    [McpServerPrompt(Name = "gqm_framework", Title = "Goal, questions, metrics")]
    [Description("Turn a vague goal into questions and measurable metrics (Goal-Question-Metric), then answer them with the tools.")]
    public string GqmFramework(
        [Description("The goal to investigate.")] string goal = "understand why new teams do or do not become active")
    {
        var (from, to) = Period(string.Empty, string.Empty);
        return $"""
            Use the Goal-Question-Metric method for this goal: "{goal}". Period: {from} to {to} unless the goal says otherwise.

            1. Goal: restate it as purpose, object and viewpoint (for example: improve activation of new sign-ups, from the
               product team's view).
            2. Questions: write three to five questions whose answers would move the goal forward (who, how many, how fast,
               which segment, since when).
            3. Metrics: for each question pick metrics that exist in this project. Check names in schema://events and
               `list_properties`; map each metric to one tool call, such as `segmentation` for counts, `funnel` or
               `local_funnel` for conversion, `retention` for return rates, `frequency` for habit.
            4. If the server offers it, `gqm_investigation` builds and runs such a plan within a stated Query API budget;
               `guided_analysis` asks the user to choose the focus step by step.
            5. Run the calls, then answer each question with its metric and period, and finish with what the answers say
               about the goal and which question remains open.
            """;
    }

    [McpServerPrompt(Name = "aarrr_analysis", Title = "AARRR (pirate metrics) review")]
    [Description("Acquisition, activation, retention, referral, revenue: one health review of the funnel from sign-up to payment.")]
    public string AarrrAnalysis(
        [Description("Acquisition event.")] string acquisition_event = "Sign Up",
        [Description("Activation event (the first real use).")] string activation_event = "Create Project",
        [Description("Referral event.")] string referral_event = "Invite Teammate",
        [Description("Revenue event.")] string revenue_event = "Purchase",
        [Description("First day, YYYY-MM-DD; default 30 days before to_date.")] string from_date = "",
        [Description("Last day, YYYY-MM-DD; default yesterday.")] string to_date = "")
    {
        var (from, to) = Period(from_date, to_date);
        return $"""
            AARRR review from {from} to {to}. Confirm the event names in schema://events first.

            - Acquisition: `segmentation` of "{acquisition_event}" by day, then `property_counts` by utm_source (or
              on = properties["utm_source"]) to see channels; compare with the previous period.
            - Activation: share of "{acquisition_event}" users who do "{activation_event}" soon after, with `local_funnel`
              (steps "{acquisition_event}", "{activation_event}", window_days 7) after `fetch_events`, or a saved funnel from
              schema://funnels with `funnel`.
            - Retention: `retention` born on "{acquisition_event}", unit day: D1, D7 and D30; by utm_source for channels.
            - Referral: `segmentation` of "{referral_event}" with type unique, relative to active users; a breakdown by
              properties["platform"] shows where it lags.
            - Revenue: `segmentation` of "{revenue_event}", and `sql` over fetched events for revenue sums by plan or channel.

            `product_health_dashboard` computes these figures in one call when the server offers it. Report one line per
            stage with the figure, the comparison and the biggest lever, then the single stage to work on first.
            """;
    }

    [McpServerPrompt(Name = "experiment_analysis", Title = "Evaluate an experiment or release")]
    [Description("Compare a metric between variants (or before and after a release) and judge whether the difference is real.")]
    public string ExperimentAnalysis(
        [Description("What is being evaluated.")] string experiment = "the latest web release",
        [Description("Expression that tells the variants apart.")] string variant_property = "properties[\"app_version\"]",
        [Description("The event that measures success.")] string metric_event = "Sign Up",
        [Description("First day of the experiment, YYYY-MM-DD; default 14 days before to_date.")] string from_date = "",
        [Description("Last day, YYYY-MM-DD; default yesterday.")] string to_date = "")
    {
        var (from, to) = Period(from_date, to_date, days: 14);
        return $"""
            Evaluate {experiment}: does "{metric_event}" differ between the variants given by {variant_property}, from {from} to {to}?

            1. Check the split exists: `list_property_values` for the property on "{metric_event}" (or `column_stats` on a
               fetched table). Variants with very few users cannot be judged.
            2. Measure per variant: `segmentation` of "{metric_event}" with on = {variant_property}, type unique, and the
               exposure (users who could convert, for example any event or a page view) the same way. Compare rates, not counts.
            3. Before/after instead of A/B (a release): compare the same weekdays before and after, and a control segment
               that did not get the change (another platform or browser), to separate the change from seasonality.
            4. For funnels, `funnel` with on = {variant_property}; for stickiness, `retention` with the same on.
            5. Judge: with rates p1, p2 over n1, n2 users, the difference is only meaningful if it is larger than about
               2 × sqrt(p(1-p)(1/n1 + 1/n2)). Say so when it is not. `diagnose_metric_drop` helps when the metric fell.
            6. Report the effect with its size, the sample sizes, the check you made and the decision you would take.
            """;
    }

    private (string From, string To) Period(string from, string to, int days = 30)
    {
        var end = string.IsNullOrWhiteSpace(to) ? Day(Yesterday) : to.Trim();
        var start = string.IsNullOrWhiteSpace(from)
            ? (DateOnly.TryParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last) ? Day(last.AddDays(1 - days)) : Day(Yesterday.AddDays(1 - days)))
            : from.Trim();
        return (start, end);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
