using System.Reflection;

namespace WsGateway.Options;

/// <summary>
/// The configuration keys of an options class, by reflection: its public properties with a public setter, which is
/// what the configuration binder fills in.
/// </summary>
internal static class OptionProperties
{
    /// <summary>The keys of <paramref name="type"/> in declaration order.</summary>
    public static IReadOnlyList<PropertyInfo> KeysOf(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && !IsExcluded(p))
            .OrderBy(p => p.MetadataToken)];

    /// <summary>A type the binder converts from one string (a leaf of the configuration).</summary>
    public static bool IsValue(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsPrimitive || target.IsEnum || target == typeof(string) || target == typeof(decimal);
    }

    /// <summary>The element type when <paramref name="type"/> is bound as a list (<c>Key:0</c>, <c>Key:1</c>, ...).</summary>
    public static Type? ListElementType(Type type) => type.IsArray ? type.GetElementType() : null;

    // GatewayOptions.BaseDirectory is set by whoever reads the configuration file, never by a key in it.
    private static bool IsExcluded(PropertyInfo property) =>
        property.DeclaringType == typeof(GatewayOptions) && property.Name == nameof(GatewayOptions.BaseDirectory);
}
