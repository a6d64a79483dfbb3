using ModelContextProtocol.Protocol;

namespace MixpanelData.Mcp.Tools.Smart;

/// <summary>Small builders for elicitation forms (flat objects of primitive fields, as MCP form mode allows).</summary>
internal static class FormFields
{
    public static ElicitRequestParams.PrimitiveSchemaDefinition Choice(string title, string description, IEnumerable<(string Value, string Title)> options) =>
        new ElicitRequestParams.TitledSingleSelectEnumSchema
        {
            Title = title,
            Description = description,
            OneOf = [.. options.Select(o => new ElicitRequestParams.EnumSchemaOption { Const = o.Value, Title = o.Title })],
        };

    public static ElicitRequestParams.PrimitiveSchemaDefinition Integer(string title, string description, int minimum, int maximum) =>
        new ElicitRequestParams.NumberSchema { Type = "integer", Title = title, Description = description, Minimum = minimum, Maximum = maximum };

    public static ElicitRequestParams.PrimitiveSchemaDefinition Text(string title, string description, int maxLength = 2000) =>
        new ElicitRequestParams.StringSchema { Title = title, Description = description, MaxLength = maxLength };

    public static ElicitRequestParams.PrimitiveSchemaDefinition Date(string title, string description) =>
        new ElicitRequestParams.StringSchema { Title = title, Description = description, Format = "date" };

    public static ElicitRequestParams.RequestSchema Form(IReadOnlyList<string> required, params (string Name, ElicitRequestParams.PrimitiveSchemaDefinition Field)[] fields) =>
        new() { Properties = fields.ToDictionary(f => f.Name, f => f.Field), Required = [.. required] };
}
