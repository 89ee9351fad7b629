using WsGateway.Options;
using WsGateway.Tests.Plugins;
using static WsGateway.Tests.Options.OptionsFixture;
using WsGateway.Transport;

namespace WsGateway.Tests.Options;

public sealed class GatewayOptionsReaderTests
{
    [Fact]
    public void The_repository_gateway_json_is_valid()
    {
        var options = ReadJson(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "gateway.json")), out var errors, RepositoryPaths.Root);
        Assert.Empty(errors);
        Assert.NotNull(options);
    }

    [Fact]
    public void An_empty_file_gives_the_defaults()
    {
        var options = ReadJson("{}", out var errors, "/srv/gateway");
        Assert.Empty(errors);
        Assert.Equal(new LimitsOptions().MaxMessageBytes, options!.Limits.MaxMessageBytes);
        Assert.Equal(new CommandOptions().Paths, options.Commands.Paths);
        Assert.Equal("/srv/gateway", options.BaseDirectory);
    }

    [Fact]
    public void Values_bind_with_keys_in_any_case()
    {
        var options = ReadJson("""{ "limits": { "maxMessageBytes": 1024 }, "COMMANDS": { "RateLimitAction": "close" } }""", out var errors);
        Assert.Empty(errors);
        Assert.Equal(1024, options!.Limits.MaxMessageBytes);
        Assert.Equal(RateLimitAction.Close, options.Commands.RateLimitAction);
    }

    [Fact]
    public void Unknown_key_names_the_closest_known_key()
    {
        ReadJson("""{ "Limits": { "MaxMesageBytes": 1024 } }""", out var errors);
        Assert.Equal(["Limits:MaxMesageBytes is not a known key (did you mean MaxMessageBytes?)"], errors);
    }

    [Fact]
    public void Unknown_key_without_a_close_match_lists_the_known_keys()
    {
        ReadJson("""{ "Listen": { "Banana": 1 } }""", out var errors);
        Assert.Equal(["Listen:Banana is not a known key (known keys here: Address, Port, InlineCompletions)"], errors);
    }

    [Theory]
    [InlineData("Limit", "Limit is not a known key (did you mean Limits?)")]
    [InlineData("Serilg", "Serilg is not a known key (did you mean Serilog?)")]
    [InlineData("Extra", "Extra is not a known key (known keys here: Listen, Tls, Hosts, Origins, Authentication, Limits, Compression, Echo, Commands, Plugins, Scripts, Shutdown, Metrics, Cluster, Proxies, Api, History, Serilog, ConfigFile)")]
    public void Unknown_top_level_key_is_reported(string key, string expected)
    {
        Assert.Equal([expected], ErrorsFor(key, "x"));
    }

    [Fact]
    public void BaseDirectory_cannot_be_set_from_the_configuration()
    {
        var options = ReadKeys(out var errors, ("BaseDirectory", "/etc"));
        Assert.Null(options);
        Assert.Equal("BaseDirectory is not a known key", errors.Single()[..32]);
    }

    [Fact]
    public void A_property_without_a_setter_is_not_a_key()
    {
        ReadKeys(out var errors, ("Tls:Enabled", "true"));
        Assert.Equal(["Tls:Enabled is not a known key (known keys here: CertificatePath, KeyPath, Password, HandshakeTimeoutSeconds)"], errors);
    }

    [Fact]
    public void Serilog_and_the_config_switch_are_not_checked()
    {
        ReadKeys(out var errors, ("Serilog:Whatever:0", "x"), ("ConfigFile", "other.json"));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("Listen:Port", "abc", "Listen:Port \"abc\" is not a whole number")]
    [InlineData("Listen:Port", "1.5", "Listen:Port \"1.5\" is not a whole number")]
    [InlineData("Listen:Port", "99999999999", "Listen:Port \"99999999999\" is out of range (-2147483648 to 2147483647)")]
    [InlineData("Limits:MaxMessageBytes", "lots", "Limits:MaxMessageBytes \"lots\" is not a whole number")]
    [InlineData("Commands:TimeoutSeconds", "soon", "Commands:TimeoutSeconds \"soon\" is not a number")]
    [InlineData("Commands:AllowBinary", "yes", "Commands:AllowBinary \"yes\" is not true or false")]
    [InlineData("Commands:RateLimitAction", "Drop", "Commands:RateLimitAction \"Drop\" is not one of Reply, Close")]
    [InlineData("Commands:RateLimitAction", "1", "Commands:RateLimitAction \"1\" is not one of Reply, Close")]
    [InlineData("Commands:LogLevel", "Loud", "Commands:LogLevel \"Loud\" is not one of Off, Verbose, Debug, Information, Warning")]
    [InlineData("Commands:LogArguments", "some", "Commands:LogArguments \"some\" is not true or false")]
    [InlineData("Origins:AllowMissing", "", "Origins:AllowMissing \"\" is not true or false")]
    public void Value_of_the_wrong_type_is_reported_with_its_key_not_thrown(string key, string value, string expected)
    {
        Assert.Equal([expected], ErrorsFor(key, value));
    }

    [Fact]
    public void A_value_where_a_section_belongs_is_reported()
    {
        ReadJson("""{ "Shutdown": 5 }""", out var errors);
        Assert.Equal(["Shutdown must be a section with the keys ReadinessGraceSeconds, DrainSeconds, not the value \"5\""], errors);
    }

    [Fact]
    public void A_section_where_a_value_belongs_is_reported()
    {
        ReadJson("""{ "Listen": { "Port": { "Number": 80 } } }""", out var errors);
        Assert.Equal(["Listen:Port must be a single value, not a section"], errors);
    }

    [Fact]
    public void A_value_where_a_list_belongs_is_reported_with_how_to_set_elements()
    {
        Assert.Equal(
            ["Commands:Paths must be a list, not the value \"/x\" (outside JSON, set its elements as Commands:Paths:0, Commands:Paths:1, ...)"],
            ErrorsFor("Commands:Paths", "/x"));
    }

    [Fact]
    public void A_list_element_that_is_not_numbered_is_reported()
    {
        Assert.Equal(
            ["Commands:Paths:first is not a list element (elements are numbered Commands:Paths:0, Commands:Paths:1, ...)"],
            ErrorsFor("Commands:Paths:first", "/x"));
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var options = ReadJson("""
            {
              "Listen": { "Port": "abc", "Address": "abc" },
              "Limits": { "MaxMesageBytes": 5, "MaxMessageBytes": 0 },
              "Origins": { "Allowed": [ "self", "*", "ftp//x" ] }
            }
            """, out var errors);
        Assert.Null(options);
        Assert.Equal(
            [
                "Limits:MaxMesageBytes is not a known key (did you mean MaxMessageBytes?)",
                "Listen:Port \"abc\" is not a whole number",
                "Listen:Address \"abc\" is not an IP address",
                "Origins:Allowed[2] \"ftp//x\" is not an origin (expected self, *, null or scheme://host[:port])",
                "Limits:MaxMessageBytes must be between 1 and 2147483583 (was 0)",
            ],
            errors);
    }

    [Fact]
    public void A_configured_list_replaces_the_default_instead_of_adding_to_it()
    {
        // The configuration binder alone appends to the default elements: the origin policy could never be narrowed.
        var options = ReadJson("""{ "Origins": { "Allowed": [ "https://example.com" ] }, "Commands": { "Paths": [ "/ws" ] } }""", out var errors);
        Assert.Empty(errors);
        Assert.Equal(["https://example.com"], options!.Origins.Allowed);
        Assert.Equal(["/ws"], options.Commands.Paths);
        Assert.Equal(new EchoOptions().Paths, options.Echo.Paths);
    }

    [Fact]
    public void An_empty_list_turns_a_route_off()
    {
        var options = ReadJson("""{ "Echo": { "Paths": [] } }""", out var errors);
        Assert.Empty(errors);
        Assert.Empty(options!.Echo.Paths);
    }
}
