using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using WsGateway.Http;

namespace WsGateway.Tests.Http;

public sealed class StaticAssetsTests
{
    private static readonly StaticAssets Assets = StaticAssets.LoadEmbedded();

    [Theory]
    [InlineData("/", "/index.html", "text/html; charset=utf-8")]
    [InlineData("/index.html", "/index.html", "text/html; charset=utf-8")]
    [InlineData("/console.js", "/console.js", "text/javascript; charset=utf-8")]
    [InlineData("/console.css", "/console.css", "text/css; charset=utf-8")]
    [InlineData("/favicon.svg", "/favicon.svg", "image/svg+xml")]
    public void Embedded_asset_is_served_with_its_content_type(string requestPath, string assetPath, string contentType)
    {
        Assert.True(Assets.TryGet(requestPath, out var asset));
        Assert.Equal(assetPath, asset.Path);
        Assert.Equal(contentType, asset.ContentType);
        Assert.NotEmpty(asset.Body);
    }

    [Theory]
    [InlineData("")]
    [InlineData("index.html")]
    [InlineData("/missing.js")]
    [InlineData("/Console.js")]
    [InlineData("/wwwroot/console.js")]
    [InlineData("/../WsGateway.dll")]
    [InlineData("/echo")]
    public void Path_without_an_asset_is_not_found(string path)
    {
        Assert.False(Assets.TryGet(path, out _));
    }

    [Fact]
    public void Query_string_does_not_change_the_asset()
    {
        Assert.True(Assets.TryGet("/?v=2", out var page));
        Assert.Equal("/index.html", page.Path);
        Assert.True(Assets.TryGet("/console.js?x", out var script));
        Assert.Equal("/console.js", script.Path);
    }

    [Fact]
    public void Every_asset_has_a_strong_etag_from_the_sha256_of_its_body()
    {
        foreach (var path in Assets.Paths)
        {
            Assert.True(Assets.TryGet(path, out var asset));
            Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(asset.Body))}\"", asset.ETag);
            Assert.DoesNotContain("W/", asset.ETag, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_asset_is_revalidated_so_an_upgraded_gateway_is_picked_up()
    {
        Assert.All(Assets.Paths, path =>
        {
            Assert.True(Assets.TryGet(path, out var asset));
            Assert.Equal("no-cache", asset.CacheControl);
        });
    }

    [Fact]
    public void Content_security_policy_allows_only_same_origin_code_and_websockets()
    {
        var directives = StaticAssets.ContentSecurityPolicy.Split(';', StringSplitOptions.TrimEntries);
        Assert.Contains("default-src 'self'", directives);
        Assert.Contains("script-src 'self'", directives);
        Assert.Contains("style-src 'self'", directives);
        Assert.Contains("connect-src 'self' ws: wss:", directives);
        Assert.Contains("frame-ancestors 'none'", directives);
        Assert.Contains("base-uri 'none'", directives);
        Assert.DoesNotContain("unsafe", StaticAssets.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_references_only_embedded_same_origin_assets()
    {
        var html = Text("/");
        var references = Regex.Matches(html, """\b(?:src|href)\s*=\s*"([^"]*)"|\b(?:src|href)\s*=\s*'([^']*)'""")
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
            .ToList();

        Assert.Contains("console.js", references);
        Assert.Contains("console.css", references);
        foreach (var reference in references)
        {
            if (reference.StartsWith('#'))
            {
                continue; // a link within the page (the skip link)
            }

            Assert.DoesNotMatch("^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", reference);
            Assert.True(Assets.TryGet("/" + reference.TrimStart('.', '/'), out _), $"index.html references {reference}, which is not embedded");
        }
    }

    [Fact]
    public void Index_has_no_inline_script_or_style_the_policy_would_block()
    {
        var html = Text("/");
        foreach (Match script in Regex.Matches(html, "<script\\b[^>]*>", RegexOptions.IgnoreCase))
        {
            Assert.Contains(" src=", script.Value, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch("(?i)<style\\b", html);
        Assert.DoesNotMatch("(?i)\\sstyle\\s*=", html);
        Assert.DoesNotMatch("(?i)\\son[a-z]+\\s*=", html);
        Assert.DoesNotMatch("(?i)javascript:", html);
    }

    [Fact]
    public void Index_has_the_elements_tests_and_scripts_target()
    {
        var html = Text("/");
        foreach (var id in new[] { "status", "log", "input", "send", "commands", "clear", "reconnect" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("aria-live=\"polite\"", html, StringComparison.Ordinal);
        Assert.Contains("<label class=\"composer-label\" for=\"input\">", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/console.js")]
    [InlineData("/admin.js")]
    public void Console_scripts_never_build_html_from_strings(string path)
    {
        var script = Text(path);
        Assert.DoesNotMatch("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\s*\\(|new\\s+Function\\b", script);
        Assert.Contains("textContent", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Console_script_is_a_module_that_imports_the_served_client_by_a_relative_address()
    {
        // Relative, so a gateway served under a path prefix behind a proxy still finds it; same origin, so the
        // page's script-src 'self' allows it.
        Assert.Contains("<script type=\"module\" src=\"console.js\"></script>", Text("/"), StringComparison.Ordinal);
        var imports = Regex.Matches(Text("/console.js"), """^import\b.*\bfrom\s+'([^']+)';""", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value)
            .ToList();

        Assert.Equal(["./client/wsgateway.js", "./admin.js"], imports);
        Assert.True(Assets.TryGet("/client/wsgateway.js", out _));
        Assert.True(Assets.TryGet("/admin.js", out _));
        // The admin view reads the HTTP API beside the page, by a relative address too.
        Assert.Contains("const API = './api/v1/';", Text("/admin.js"), StringComparison.Ordinal);
        Assert.DoesNotMatch("new\\s+WebSocket\\b", Text("/console.js"));
    }

    [Fact]
    public void Stylesheet_loads_nothing_from_elsewhere()
    {
        var css = Text("/console.css");
        Assert.DoesNotMatch("(?i)@import|url\\(\\s*['\"]?(?:[a-z]+:|//)", css);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("\"other\"", false)]
    [InlineData("*", true)]
    [InlineData("CURRENT", true)]
    [InlineData("W/CURRENT", true)]
    [InlineData("\"a\", CURRENT", true)]
    [InlineData("\"a\",W/CURRENT ", true)]
    public void If_none_match_with_the_current_etag_is_not_modified(string? header, bool notModified)
    {
        Assert.True(Assets.TryGet("/console.js", out var asset));
        Assert.Equal(notModified, asset.IsNotModified(header?.Replace("CURRENT", asset.ETag, StringComparison.Ordinal)));
    }

    private static string Text(string path)
    {
        Assert.True(Assets.TryGet(path, out var asset));
        return Encoding.UTF8.GetString(asset.Body);
    }
}
