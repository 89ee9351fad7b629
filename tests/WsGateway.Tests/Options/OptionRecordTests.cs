using System.Reflection;
using WsGateway.Options;

namespace WsGateway.Tests.Options;

/// <summary>
/// Option sections are records compared by value (a reload keeps the sections that need a restart unless they really
/// changed). A record compares arrays by reference, so the sections holding lists write their own Equals; these tests
/// catch a property left out of it.
/// </summary>
public sealed class OptionRecordTests
{
    public static TheoryData<Type> Sections() =>
        [.. typeof(GatewayOptions).GetProperties().Select(p => p.PropertyType).Where(t => t.IsClass && t != typeof(string))
            .Concat([typeof(JwtOptions), typeof(ApiKeyOptions)])];

    [Theory]
    [MemberData(nameof(Sections))]
    public void Fresh_sections_are_equal_and_hash_alike(Type section)
    {
        var first = Activator.CreateInstance(section)!;
        var second = Activator.CreateInstance(section)!;
        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void Equal_lists_in_new_arrays_are_equal(Type section)
    {
        var first = Activator.CreateInstance(section)!;
        var second = Activator.CreateInstance(section)!;
        foreach (var property in ListProperties(section))
        {
            var list = (Array)property.GetValue(first)!;
            property.SetValue(second, list.Clone());
        }

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void Every_property_takes_part_in_equality(Type section)
    {
        foreach (var property in section.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var original = Activator.CreateInstance(section)!;
            var changed = Activator.CreateInstance(section)!;
            property.SetValue(changed, Different(property.PropertyType, property.GetValue(original)));
            Assert.False(original.Equals(changed), $"{section.Name}.{property.Name} does not take part in Equals");
        }
    }

    private static IEnumerable<PropertyInfo> ListProperties(Type section) =>
        section.GetProperties().Where(p => p.PropertyType.IsArray && p.CanWrite);

    private static object Different(Type type, object? value)
    {
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var list = (Array)value!;
            var longer = Array.CreateInstance(element, list.Length + 1);
            list.CopyTo(longer, 0);
            longer.SetValue(element == typeof(string) ? "different" : Activator.CreateInstance(element), list.Length);
            return longer;
        }

        return type switch
        {
            _ when type == typeof(string) => (string?)value + "-different",
            _ when type == typeof(bool) => !(bool)value!,
            _ when type == typeof(int) => (int)value! + 1,
            _ when type == typeof(long) => (long)value! + 1,
            _ when type == typeof(double) => (double)value! + 1,
            _ when type.IsEnum => Enum.GetValues(type).Cast<object>().First(v => !v.Equals(value)),
            _ when type.IsClass => WithOneChange(type),
            _ => throw new NotSupportedException($"No different value for {type}"),
        };
    }

    private static object WithOneChange(Type nested)
    {
        var instance = Activator.CreateInstance(nested)!;
        var property = nested.GetProperties().First(p => p.CanWrite);
        property.SetValue(instance, Different(property.PropertyType, property.GetValue(instance)));
        return instance;
    }

    [Fact]
    public void A_reload_with_an_equal_restart_only_section_needs_no_restart()
    {
        var live = new LiveOptions(new GatewayOptions());
        var next = new GatewayOptions { Scripts = new ScriptOptions { Imports = [] }, Echo = new EchoOptions { Paths = ["/echo"] } };
        Assert.Empty(live.Reload(next));

        var changed = new GatewayOptions { Echo = new EchoOptions { Paths = ["/echo", "/echo2"] } };
        Assert.Equal(["Echo"], live.Reload(changed));
        Assert.Equal(["/echo"], live.Current.Echo.Paths);
    }
}
