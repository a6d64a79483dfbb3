using System.Reflection;
using System.Reflection.Emit;

namespace MixpanelData.Tests.Architecture;

/// <summary>
/// The arrows of reference/architecture.md, checked on the compiled library rather than by grep: every type the
/// library's code names — in signatures, base types, attributes and method bodies (the IL's type, method and field
/// tokens, so lambdas, async state machines and local variables count) — is mapped to its layer, the namespace below
/// <c>MixpanelData</c>, and each test lists the references that break one arrow.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Assembly Library = typeof(MixpanelData.Workspace).Assembly;

    private static readonly Lazy<IReadOnlyList<Reference>> References = new(() => [.. ReadReferences(Library)]);

    private static readonly string[] AreaLayers = ["Discovery", "Queries", "Fetching", "Insights", "Analytics", "Storage"];

    /// <summary>The layers above the Api/Http core: the area clients, the emulator and the composition root.</summary>
    private static readonly string[] AboveTheCore = [.. AreaLayers, "Emulation", "(root)", "DependencyInjection"];

    [Test]
    public void ApiHttpConfigurationAndExceptions_NameNothingAboveThem()
    {
        var found = Breaking(from => from is "Api" or "Http" or "Configuration" or "Exceptions", to => AboveTheCore.Contains(to.Layer));

        Assert.That(found, Is.Empty);
    }

    [Test]
    public void Http_KnowsNothingOfTheApiLayer()
    {
        var found = Breaking(from => from == "Http", to => to.Layer == "Api");

        Assert.That(found, Is.Empty);
    }

    [Test]
    public void AreaClients_NeverReachBackIntoTheWorkspace()
    {
        // ApiCallMeter sits in the root namespace but is not the workspace: a per-flow counter the Insights area reads.
        var found = Breaking(from => AreaLayers.Contains(from), to => to.Layer is "(root)" or "DependencyInjection" && Outermost(to.Type) != typeof(ApiCallMeter));

        Assert.That(found, Is.Empty);
    }

    [Test]
    public void LocalLayers_NeverTouchTheRemoteCore()
    {
        var found = Breaking(from => from is "Storage" or "Analytics", to => to.Layer is "Api" or "Http");

        Assert.That(found, Is.Empty);
    }

    [TestCase("DuckDB.NET.Data", "Storage")]
    [TestCase("DuckDB.NET.Bindings", "Storage")]
    [TestCase("Tomlyn", "Configuration")]
    [TestCase("Refit", "Api")]
    public void DesignCardPackage_IsReachedOnlyFromItsLayer(string assembly, string layer)
    {
        var users = References.Value.Where(r => r.ToAssembly == assembly).ToList();
        var outside = users.Where(r => r.FromLayer != layer).Select(r => r.ToString()).Distinct().Order().ToList();

        Assert.That(users, Is.Not.Empty, $"the library should use {assembly} (in {layer}) at all");
        Assert.That(outside, Is.Empty);
    }

    [Test]
    public void AreaClients_SendNoHttpRequestOfTheirOwn()
    {
        // Naming HttpRequestException is allowed: a fetch tells a broken export stream (retried) from other failures.
        Type[] sending = [typeof(HttpClient), typeof(HttpMessageInvoker), typeof(HttpMessageHandler), typeof(HttpRequestMessage), typeof(HttpResponseMessage), typeof(HttpContent), typeof(IHttpClientFactory)];
        var found = References.Value
            .Where(r => AreaLayers.Contains(r.FromLayer) && (sending.Any(t => t.IsAssignableFrom(r.ToType)) || r.ToAssembly is "Microsoft.Extensions.Http" or "Microsoft.Extensions.Http.Resilience" or "Refit" or "Refit.HttpClientFactory"))
            .Select(r => r.ToString()).Distinct().Order().ToList();

        Assert.That(found, Is.Empty);
    }

    [Test]
    public void TheCheck_SeesReferencesInsideMethodBodies()
    {
        // The reader must see what only a method body names (here: an async method's state machine calling the Api
        // interface), or the tests above would pass for want of looking.
        var queriesToApi = References.Value.Where(r => r.FromLayer == "Queries" && r.ToType.Name == "IQueryApi" && r.Via == "body").ToList();
        var workspaceToAreas = References.Value.Where(r => r.FromLayer == "(root)" && r.ToLayer == "Queries").ToList();

        Assert.That(queriesToApi, Is.Not.Empty);
        Assert.That(workspaceToAreas, Is.Not.Empty);
    }

    private static List<string> Breaking(Func<string, bool> from, Func<(string Layer, Type Type), bool> to) =>
        [.. References.Value
            .Where(r => r.ToLayer is not null && r.ToLayer != r.FromLayer && from(r.FromLayer) && to((r.ToLayer, r.ToType)))
            .Select(r => r.ToString()).Distinct().Order()];

    /// <summary>One type named by the library's code: where (type and layer), how (signature or body) and what.</summary>
    private sealed record Reference(Type FromType, string FromLayer, string Via, Type ToType)
    {
        public string? ToLayer => ToType.Assembly == Library ? LayerOf(ToType) : null;

        public string ToAssembly => ToType.Assembly.GetName().Name!;

        public override string ToString() => $"{FromLayer}: {Outermost(FromType).FullName} -> {ToType.FullName ?? ToType.Name} ({ToAssembly}, {Via})";
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    /// <summary>
    /// The folder a library type lives in: its namespace's second part; in the <c>MixpanelData</c> namespace itself the
    /// exceptions and their codes (folder Exceptions/) and the rest, "(root)".
    /// </summary>
    private static string? LayerOf(Type type)
    {
        var outermost = Outermost(type);
        var ns = outermost.Namespace;
        return ns switch
        {
            null => null,
            "MixpanelData" when typeof(Exception).IsAssignableFrom(outermost) || outermost == typeof(MixpanelErrorCodes) => "Exceptions",
            "MixpanelData" => "(root)",
            "Microsoft.Extensions.DependencyInjection" => "DependencyInjection",
            _ when ns.StartsWith("MixpanelData.", StringComparison.Ordinal) => ns["MixpanelData.".Length..].Split('.')[0],
            _ => null,
        };
    }

    private static IEnumerable<Reference> ReadReferences(Assembly assembly)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            if (LayerOf(type) is not { } layer)
            {
                continue; // compiler-generated helpers with no namespace, and Refit's generated implementations
            }

            IEnumerable<Reference> Named(string via, params Type?[] types) =>
                types.SelectMany(t => t is null ? [] : Flatten(t)).Select(t => new Reference(type, layer, via, t));

            foreach (var r in Named("signature", [type.BaseType, .. type.GetInterfaces()]))
            {
                yield return r;
            }

            foreach (var r in Attributes(type.CustomAttributes).SelectMany(t => Named("attribute", t)))
            {
                yield return r;
            }

            foreach (var field in type.GetFields(All))
            {
                foreach (var r in Named("signature", field.FieldType))
                {
                    yield return r;
                }
            }

            foreach (var property in type.GetProperties(All))
            {
                foreach (var r in Named("signature", property.PropertyType).Concat(Attributes(property.CustomAttributes).SelectMany(t => Named("attribute", t))))
                {
                    yield return r;
                }
            }

            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                var parameters = method.GetParameters();
                foreach (var r in Named("signature", [(method as MethodInfo)?.ReturnType, .. parameters.Select(p => p.ParameterType)]))
                {
                    yield return r;
                }

                foreach (var r in Attributes(method.CustomAttributes.Concat(parameters.SelectMany(p => p.CustomAttributes))).SelectMany(t => Named("attribute", t)))
                {
                    yield return r;
                }

                var body = method.GetMethodBody();
                if (body is null)
                {
                    continue;
                }

                foreach (var r in Named("body", [.. body.LocalVariables.Select(v => v.LocalType), .. BodyTypes(method, body.GetILAsByteArray() ?? [])]))
                {
                    yield return r;
                }
            }
        }
    }

    /// <summary>The type and its parts: element types of arrays and by-refs, generic arguments.</summary>
    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var t in Flatten(type.GetElementType()!))
            {
                yield return t;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsConstructedGenericType)
        {
            foreach (var t in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return t;
            }
        }
    }

    /// <summary>Attribute types and the <c>typeof(…)</c> arguments they carry (e.g. <c>[JsonConverter(typeof(X))]</c>).</summary>
    private static IEnumerable<Type> Attributes(IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            yield return attribute.AttributeType;
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
            {
                if (argument.Value is Type named)
                {
                    yield return named;
                }
            }
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The declaring types of the methods and fields, and the types, that the IL's tokens name.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var found = new List<Type>();
        for (var at = 0; at < il.Length;)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            switch (opCode.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var member = module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    if (member is Type t)
                    {
                        found.Add(t);
                    }
                    else if (member?.DeclaringType is { } owner)
                    {
                        found.Add(owner);
                        if (member is MethodInfo { IsGenericMethod: true } generic)
                        {
                            found.AddRange(generic.GetGenericArguments());
                        }
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                default: // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    at += 4;
                    break;
            }
        }

        return found;
    }
}
