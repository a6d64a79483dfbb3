namespace MixpanelData.Mcp.Tools;

/// <summary>Names the toolset (<c>--toolsets</c>) a tool class belongs to.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class ToolsetAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Marks a tool whose answers can be cached for a few minutes (discovery).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
internal sealed class CacheableAttribute : Attribute
{
}

/// <summary>The Mixpanel API family a tool spends, for the rate-limit notices and the audit trail.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
internal sealed class SpendsAttribute(string family) : Attribute
{
    public string Family { get; } = family;
}
