using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WsGateway.Options;
using static WsGateway.Tests.Options.OptionsFixture;

namespace WsGateway.Tests.Options;

public sealed class GatewayOptionsValidatorTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(GatewayOptionsValidator.Validate(new GatewayOptions()));
    }

    [Theory]
    [InlineData("Listen:Address", "abc", "Listen:Address \"abc\" is not an IP address")]
    [InlineData("Listen:Address", "localhost", "Listen:Address \"localhost\" is not an IP address (use 127.0.0.1 or ::1)")]
    [InlineData("Listen:Address", "1", "Listen:Address \"1\" is not an IP address")]
    [InlineData("Listen:Address", "[::1]", "Listen:Address \"[::1]\" is not an IP address")]
    [InlineData("Listen:Port", "65536", "Listen:Port must be between 0 and 65535 (was 65536)")]
    [InlineData("Listen:Port", "-1", "Listen:Port must be between 0 and 65535 (was -1)")]
    [InlineData("Tls:HandshakeTimeoutSeconds", "0", "Tls:HandshakeTimeoutSeconds must be more than 0 and at most 2147483 seconds (was 0)")]
    [InlineData("Tls:KeyPath", "key.pem", "Tls:KeyPath is set but Tls:CertificatePath is not (TLS needs the certificate)")]
    [InlineData("Limits:MaxMessageBytes", "0", "Limits:MaxMessageBytes must be between 1 and 2147483583 (was 0)")]
    [InlineData("Limits:MaxMessageBytes", "2147483584", "Limits:MaxMessageBytes must be between 1 and 2147483583 (was 2147483584); a message is buffered in one array")]
    [InlineData("Limits:MaxHandshakeBytes", "100", "Limits:MaxHandshakeBytes must be between 256 and 2147483647 (was 100); a minimal upgrade request is about 140 bytes")]
    [InlineData("Limits:HandshakeTimeoutSeconds", "-1", "Limits:HandshakeTimeoutSeconds must be more than 0 and at most 2147483 seconds (was -1)")]
    [InlineData("Limits:HandshakeTimeoutSeconds", "0", "Limits:HandshakeTimeoutSeconds must be more than 0 and at most 2147483 seconds (was 0)")]
    [InlineData("Limits:SendBufferBytes", "0", "Limits:SendBufferBytes must be between 1 and 9223372036854775807 (was 0)")]
    [InlineData("Limits:CloseTimeoutSeconds", "0", "Limits:CloseTimeoutSeconds must be more than 0 and at most 2147483 seconds (was 0)")]
    [InlineData("Limits:MaxConnections", "-1", "Limits:MaxConnections must be between 0 and 2147483647 (was -1)")]
    [InlineData("Limits:MaxConnectionsPerIp", "-1", "Limits:MaxConnectionsPerIp must be between 0 and 2147483647 (was -1)")]
    [InlineData("Limits:IdleTimeoutSeconds", "-1", "Limits:IdleTimeoutSeconds must be between 0 and 2147483 seconds (was -1)")]
    [InlineData("Limits:IdleTimeoutSeconds", "3000000", "Limits:IdleTimeoutSeconds must be between 0 and 2147483 seconds (was 3000000)")]
    [InlineData("Limits:IdleTimeoutSeconds", "NaN", "Limits:IdleTimeoutSeconds must be between 0 and 2147483 seconds (was NaN)")]
    [InlineData("Limits:KeepAliveSeconds", "-0.5", "Limits:KeepAliveSeconds must be between 0 and 2147483 seconds (was -0.5)")]
    [InlineData("Limits:KeepAliveTimeoutSeconds", "0", "Limits:KeepAliveTimeoutSeconds must be more than 0 and at most 2147483 seconds (was 0)")]
    [InlineData("Commands:TimeoutSeconds", "0", "Commands:TimeoutSeconds must be more than 0 and at most 2147483 seconds (was 0)")]
    [InlineData("Commands:MessagesPerSecond", "-1", "Commands:MessagesPerSecond must be 0 (no limit) or more (was -1)")]
    [InlineData("Commands:MessagesPerSecond", "Infinity", "Commands:MessagesPerSecond must be 0 (no limit) or more (was Infinity)")]
    [InlineData("Commands:Burst", "0", "Commands:Burst must be between 1 and 2147483647 (was 0)")]
    [InlineData("Plugins:Directory", "", "Plugins:Directory is empty (a folder, relative to the configuration file's folder)")]
    [InlineData("Plugins:DebounceMilliseconds", "-1", "Plugins:DebounceMilliseconds must be between 0 and 2147483647 (was -1)")]
    [InlineData("Scripts:Directory", " ", "Scripts:Directory is empty (a folder, relative to the configuration file's folder)")]
    [InlineData("Scripts:References:0", "", "Scripts:References[0] is empty (an assembly name or path)")]
    [InlineData("Scripts:Imports:0", "System..Text", "Scripts:Imports[0] \"System..Text\" is not a namespace (like System.Text.Json)")]
    [InlineData("Scripts:Imports:0", "1st", "Scripts:Imports[0] \"1st\" is not a namespace (like System.Text.Json)")]
    [InlineData("Scripts:DebounceMilliseconds", "-1", "Scripts:DebounceMilliseconds must be between 0 and 2147483647 (was -1)")]
    [InlineData("Shutdown:DrainSeconds", "-1", "Shutdown:DrainSeconds must be between 0 and 2147483 seconds (was -1)")]
    [InlineData("Shutdown:ReadinessGraceSeconds", "-1", "Shutdown:ReadinessGraceSeconds must be between 0 and 2147483 seconds (was -1)")]
    [InlineData("Shutdown:ReadinessGraceSeconds", "NaN", "Shutdown:ReadinessGraceSeconds must be between 0 and 2147483 seconds (was NaN)")]
    public void Invalid_value_is_reported_with_its_key(string key, string value, string expected)
    {
        Assert.Equal([expected], ErrorsFor(key, value));
    }

    [Theory]
    [InlineData("Listen:Address", "0.0.0.0")]
    [InlineData("Listen:Address", "::")]
    [InlineData("Listen:Address", "::1")]
    [InlineData("Listen:Address", "192.168.10.20")]
    [InlineData("Listen:Port", "0")]
    [InlineData("Listen:Port", "65535")]
    [InlineData("Limits:MaxMessageBytes", "1")]
    [InlineData("Limits:MaxMessageBytes", "2147483583")]
    [InlineData("Limits:IdleTimeoutSeconds", "0")]
    [InlineData("Limits:KeepAliveSeconds", "0")]
    [InlineData("Limits:MaxConnections", "0")]
    [InlineData("Commands:MessagesPerSecond", "0")]
    [InlineData("Commands:TimeoutSeconds", "0.25")]
    [InlineData("Shutdown:DrainSeconds", "0")]
    [InlineData("Shutdown:ReadinessGraceSeconds", "0")]
    [InlineData("Shutdown:ReadinessGraceSeconds", "10")]
    [InlineData("Scripts:Imports:0", "System.Text.Json")]
    [InlineData("Scripts:Imports:0", "_Internal.V2")]
    [InlineData("Tls:CertificatePath", "")]
    public void Valid_value_is_accepted(string key, string value)
    {
        Assert.Empty(ErrorsFor(key, value));
    }

    [Theory]
    [InlineData("ftp//x", "expected self, *, null or scheme://host[:port]")]
    [InlineData("example.com", "expected self, *, null or scheme://host[:port]")]
    [InlineData("https://x.com/", "an origin has no path; write \"https://x.com\"")]
    [InlineData("https://x.com/app?a=1", "an origin has no path; write \"https://x.com\"")]
    [InlineData("http://a:0", "the port \"0\" is not a number from 1 to 65535")]
    [InlineData("http://a:65536", "the port \"65536\" is not a number from 1 to 65535")]
    [InlineData("http://a:", "the port \"\" is not a number from 1 to 65535")]
    [InlineData("1http://a", "\"1http\" is not a scheme")]
    [InlineData("http://", "the host is not a host name or IPv4 address")]
    [InlineData("http://user@a", "an origin has no user name")]
    [InlineData("http://[zz]", "the host in brackets is not an IPv6 address")]
    public void Origin_that_cannot_match_is_reported_with_its_index(string origin, string why)
    {
        ReadKeys(out var errors, ("Origins:Allowed:0", "self"), ("Origins:Allowed:1", "*"), ("Origins:Allowed:2", origin));
        Assert.Equal([$"Origins:Allowed[2] \"{origin}\" is not an origin ({why})"], errors);
    }

    [Fact]
    public void A_short_metrics_key_is_refused_without_repeating_it()
    {
        var errors = ErrorsFor("Metrics:ApiKey", "hunter2");
        Assert.Equal(["Metrics:ApiKey is too short to be a secret (at least 16 characters)"], errors);
        Assert.Empty(ErrorsFor("Metrics:ApiKey", "0123456789abcdef"));
    }

    [Fact]
    public void Trusted_proxy_that_is_not_an_address_or_range_is_reported_with_its_index()
    {
        ReadKeys(out var errors, ("Proxies:TrustedProxies:0", "10.0.0.0/8"), ("Proxies:TrustedProxies:1", "10.0.0.1/8"));
        Assert.Equal(["Proxies:TrustedProxies[1] \"10.0.0.1/8\" is not an address or range (host bits are set; the range is 10.0.0.0/8)"], errors);
        Assert.Empty(ErrorsFor("Proxies:TrustedProxies:0", "::1"));
    }

    [Fact]
    public void Proxy_protocol_without_a_trusted_proxy_is_refused()
    {
        Assert.Equal(
            ["Proxies:ProxyProtocol is true but Proxies:TrustedProxies is empty (only a trusted proxy may send a PROXY header: list the load balancers' addresses)"],
            ErrorsFor("Proxies:ProxyProtocol", "true"));
        ReadKeys(out var errors, ("Proxies:ProxyProtocol", "true"), ("Proxies:TrustedProxies:0", "10.0.0.5"));
        Assert.Empty(errors);
    }

    [Fact]
    public void Forwarded_headers_default_to_for_and_list_proto_and_host_by_name()
    {
        Assert.Equal([ForwardedHeader.For], new GatewayOptions().Proxies.ForwardedHeaders);
        var options = ReadJson("""{ "Proxies": { "TrustedProxies": [ "10.0.0.5" ], "ForwardedHeaders": [ "For", "proto", "Host" ] } }""", out var errors);
        Assert.Empty(errors);
        Assert.Equal([ForwardedHeader.For, ForwardedHeader.Proto, ForwardedHeader.Host], options!.Proxies.ForwardedHeaders);
        Assert.Empty(ReadJson("""{ "Proxies": { "ForwardedHeaders": [] } }""", out errors)!.Proxies.ForwardedHeaders);
        Assert.Empty(errors);
    }

    [Fact]
    public void A_forwarded_header_that_is_not_for_proto_or_host_is_reported_with_its_index()
    {
        ReadKeys(out var errors, ("Proxies:TrustedProxies:0", "10.0.0.5"), ("Proxies:ForwardedHeaders:0", "For"),
            ("Proxies:ForwardedHeaders:1", "X-Forwarded-Host"));
        Assert.Equal(["Proxies:ForwardedHeaders[1] \"X-Forwarded-Host\" is not one of For, Proto, Host"], errors);
        Assert.Equal(
            ["Proxies:ForwardedHeaders must be a list, not the value \"Host\" (outside JSON, set its elements as Proxies:ForwardedHeaders:0, Proxies:ForwardedHeaders:1, ...)"],
            ErrorsFor("Proxies:ForwardedHeaders", "Host"));
        var options = new GatewayOptions();
        options.Proxies.ForwardedHeaders = [(ForwardedHeader)7];
        Assert.Equal(["Proxies:ForwardedHeaders[0] must be one of For, Proto, Host (was 7)"], GatewayOptionsValidator.Validate(options));
    }

    [Fact]
    public void Forwarded_proto_or_host_without_a_trusted_proxy_is_refused()
    {
        ReadKeys(out var errors, ("Proxies:ForwardedHeaders:0", "For"), ("Proxies:ForwardedHeaders:1", "Host"));
        Assert.Equal(
            ["Proxies:ForwardedHeaders[1] is Host but Proxies:TrustedProxies is empty (forwarding headers are only read from a trusted proxy: list the load balancers' addresses)"],
            errors);
        Assert.Equal(
            ["Proxies:ForwardedHeaders[0] is Proto but Proxies:TrustedProxies is empty (forwarding headers are only read from a trusted proxy: list the load balancers' addresses)"],
            ErrorsFor("Proxies:ForwardedHeaders:0", "Proto"));
        Assert.Empty(ErrorsFor("Proxies:ForwardedHeaders:0", "For"));
    }

    [Theory]
    [InlineData("true", new[] { ForwardedHeader.For })]
    [InlineData("True", new[] { ForwardedHeader.For })]
    [InlineData("false", new ForwardedHeader[0])]
    public void The_earlier_bool_form_of_forwarded_headers_still_reads_and_never_trusts_proto_or_host(string value, ForwardedHeader[] expected)
    {
        var options = ReadKeys(out var errors, ("Proxies:TrustedProxies:0", "10.0.0.5"), ("Proxies:ForwardedHeaders", value));
        Assert.Empty(errors);
        Assert.Equal(expected, options!.Proxies.ForwardedHeaders);
        var json = ReadJson($$"""{ "Proxies": { "ForwardedHeaders": {{value.ToLowerInvariant()}} } }""", out errors);
        Assert.Empty(errors);
        Assert.Equal(expected, json!.Proxies.ForwardedHeaders);
    }

    [Fact]
    public void Host_pattern_that_cannot_match_is_reported_with_its_index()
    {
        ReadKeys(out var errors, ("Hosts:Allowed:0", "gateway.example.com"), ("Hosts:Allowed:1", "https://gateway.example.com"));
        Assert.Single(errors);
        Assert.StartsWith("Hosts:Allowed[1] \"https://gateway.example.com\" is not a host pattern (expected", errors[0]);
        Assert.Empty(ErrorsFor("Hosts:Allowed:0", "*.example.com"));
    }

    [Theory]
    [InlineData("self")]
    [InlineData("SELF")]
    [InlineData("*")]
    [InlineData("null")]
    [InlineData("https://example.com")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://[::1]:3000")]
    [InlineData("app+x://host.name")]
    public void Origin_forms_the_policy_compares_are_accepted(string origin)
    {
        Assert.Empty(ErrorsFor("Origins:Allowed:0", origin));
    }

    [Theory]
    [InlineData("x", "must start with \"/\"")]
    [InlineData("", "must start with \"/\"")]
    [InlineData("/a b", "contains a space, which cannot appear in a request path")]
    [InlineData("/a?b=1", "contains \"?\"; a route is a path without query or fragment")]
    [InlineData("/a#b", "contains \"#\"; a route is a path without query or fragment")]
    [InlineData("/a\"b", "contains \"\"\", which cannot appear in a request path")]
    public void Route_path_that_no_request_can_match_is_reported(string path, string why)
    {
        ReadKeys(out var errors, ("Commands:Paths:0", "/"), ("Commands:Paths:1", path));
        Assert.Equal([$"Commands:Paths[1] \"{path}\" {why}"], errors);
    }

    [Fact]
    public void A_path_used_by_both_echo_and_commands_is_reported()
    {
        ReadKeys(out var errors, ("Echo:Paths:0", "/echo"), ("Commands:Paths:0", "/"), ("Commands:Paths:1", "/echo"));
        Assert.Equal(["Commands:Paths[1] \"/echo\" is already Echo:Paths[0] (a path leads to one route)"], errors);
    }

    [Fact]
    public void A_path_listed_twice_is_reported()
    {
        ReadKeys(out var errors, ("Commands:Paths:0", "/"), ("Commands:Paths:1", "/"));
        Assert.Equal(["Commands:Paths[1] \"/\" is already Commands:Paths[0] (a path leads to one route)"], errors);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("chat/1")]
    [InlineData("v1,v2")]
    [InlineData("")]
    [InlineData("é")]
    public void Subprotocol_that_is_not_a_token_is_reported(string name)
    {
        Assert.Equal(
            [$"Commands:Subprotocols[0] \"{name}\" is not a subprotocol name (letters, digits and !#$%&'*+-.^_`|~ only, no spaces or separators)"],
            ErrorsFor("Commands:Subprotocols:0", name));
    }

    [Fact]
    public void Subprotocol_tokens_are_accepted_and_repeats_reported()
    {
        ReadKeys(out var errors, ("Commands:Subprotocols:0", "graphql-ws"), ("Commands:Subprotocols:1", "v1.chat"),
            ("Commands:Subprotocols:2", "graphql-ws"));
        Assert.Equal(["Commands:Subprotocols[2] \"graphql-ws\" is listed twice"], errors);
    }

    [Theory]
    [InlineData("Authentication:Methods:0", "password", "Authentication:Methods[0] \"password\" is not a method (none, jwt, apikey or plugin:NAME)")]
    [InlineData("Authentication:Methods:0", "apikey", "Authentication:Methods has \"apikey\" but Authentication:ApiKeys is empty")]
    [InlineData("Authentication:Jwt:Issuer", "https://issuer.example", "Authentication:Jwt is set but Authentication:Methods does not list \"jwt\"")]
    [InlineData("Authentication:RequiredRoles:0", "", "Authentication:RequiredRoles[0] is empty")]
    public void Authentication_problems_are_reported_with_their_key(string key, string value, string expected)
    {
        Assert.Equal([expected], ErrorsFor(key, value));
    }

    [Fact]
    public void Authentication_methods_are_checked_as_a_whole()
    {
        ReadKeys(out var errors, ("Authentication:Methods:0", "jwt"), ("Authentication:Methods:1", "none"), ("Authentication:Methods:2", "NONE"));
        Assert.Equal(
            [
                "Authentication:Jwt:Issuer is empty (the iss every token must carry)",
                "Authentication:Jwt:Audience is empty (the aud every token must carry)",
                "Authentication:Jwt has no key: set SigningKey, PublicKeyFile or JwksFile",
                "Authentication:Methods[1] \"none\" must be the last method: it lets everyone in, so the ones after it would never run",
                "Authentication:Methods[2] \"NONE\" is listed twice",
            ],
            errors);

        ReadKeys(out errors, ("Authentication:Methods:0", "plugin:Corp.Sso"), ("Authentication:Methods:1", "none"));
        Assert.Empty(errors);
    }

    [Fact]
    public void A_missing_authentication_key_is_reported_along_with_other_problems()
    {
        ReadKeys(out var errors, ("Listen:Address", "abc"), ("Authentication:Methods:0", "jwt"),
            ("Authentication:Jwt:Issuer", "https://issuer.example"), ("Authentication:Jwt:Audience", "gateway"));
        Assert.Equal(
            ["Listen:Address \"abc\" is not an IP address", "Authentication:Jwt has no key: set SigningKey, PublicKeyFile or JwksFile"],
            errors);
    }

    [Fact]
    public void Authentication_secrets_are_never_repeated_in_problems()
    {
        const string ShortSigningKey = "short-signing-key";
        const string ShortApiKey = "short-api-key";
        ReadJson($$"""
            {
              "Authentication": {
                "Methods": [ "jwt", "apikey" ],
                "Jwt": { "Issuer": "https://issuer.example", "Audience": "gateway", "SigningKey": "{{ShortSigningKey}}" },
                "ApiKeys": [ { "Name": "bot", "Key": "{{ShortApiKey}}" } ]
              }
            }
            """, out var errors);
        Assert.Equal(
            [
                "Authentication:Jwt:SigningKey is too short to be a secret (at least 32 bytes, for HS256)",
                "Authentication:ApiKeys[0] (\"bot\") is too short to be a secret (at least 16 characters)",
            ],
            errors);
        Assert.All(errors, e => Assert.DoesNotContain("short-", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Authentication_key_files_are_looked_up_relative_to_the_configuration_folder()
    {
        var folder = Directory.CreateTempSubdirectory("wsgateway-auth-").FullName;
        try
        {
            using (var key = RSA.Create(2048))
            {
                File.WriteAllText(Path.Combine(folder, "issuer.pem"), key.ExportSubjectPublicKeyInfoPem());
            }

            using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                File.WriteAllText(Path.Combine(folder, "issuer-ec.pem"), key.ExportSubjectPublicKeyInfoPem());
            }

            const string Json = """{ "Authentication": { "Methods": [ "jwt" ], "Jwt": { "Issuer": "i", "Audience": "a", "PublicKeyFile": "FILE" } } }""";
            ReadJson(Json.Replace("FILE", "issuer.pem", StringComparison.Ordinal), out var errors, folder);
            Assert.Empty(errors);
            ReadJson(Json.Replace("FILE", "issuer-ec.pem", StringComparison.Ordinal), out errors, folder);
            Assert.Empty(errors);
            ReadJson(Json.Replace("FILE", "elsewhere.pem", StringComparison.Ordinal), out errors, folder);
            var error = Assert.Single(errors);
            Assert.StartsWith("Authentication:Jwt:PublicKeyFile \"elsewhere.pem\" cannot be read: ", error);
            Assert.Contains(Path.Combine(folder, "elsewhere.pem"), error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Tls_certificate_is_loaded_to_find_a_wrong_password_or_a_missing_key()
    {
        var folder = Directory.CreateTempSubdirectory("wsgateway-tls-").FullName;
        try
        {
            using (var key = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                File.WriteAllBytes(Path.Combine(folder, "cert.pfx"), certificate.Export(X509ContentType.Pkcs12, "secret"));
                File.WriteAllText(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
                File.WriteAllText(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
            }

            ReadJson("""{ "Tls": { "CertificatePath": "cert.pfx", "Password": "secret" } }""", out var errors, folder);
            Assert.Empty(errors);
            ReadJson("""{ "Tls": { "CertificatePath": "cert.pem", "KeyPath": "key.pem" } }""", out errors, folder);
            Assert.Empty(errors);

            ReadJson("""{ "Tls": { "CertificatePath": "cert.pfx", "Password": "wrong" } }""", out errors, folder);
            Assert.StartsWith("Tls:CertificatePath \"cert.pfx\" cannot be loaded: ", Assert.Single(errors));
            ReadJson("""{ "Tls": { "CertificatePath": "cert.pem" } }""", out errors, folder);
            Assert.StartsWith("Tls:CertificatePath \"cert.pem\" cannot be loaded: ", Assert.Single(errors));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Tls_files_are_looked_up_relative_to_the_configuration_folder()
    {
        var folder = Directory.CreateTempSubdirectory("wsgateway-tls-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "cert.pem"), "not checked here");
            ReadJson("""{ "Tls": { "CertificatePath": "cert.pem", "KeyPath": "key.pem" } }""", out var errors, folder);
            Assert.Equal([$"Tls:KeyPath file not found: {Path.Combine(folder, "key.pem")}"], errors);

            ReadJson("""{ "Tls": { "CertificatePath": "missing.pfx" } }""", out errors, folder);
            Assert.Equal([$"Tls:CertificatePath file not found: {Path.Combine(folder, "missing.pfx")}"], errors);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
