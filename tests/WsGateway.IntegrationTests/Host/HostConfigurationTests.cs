using System.Text.RegularExpressions;

namespace WsGateway.IntegrationTests.Host;

/// <summary>How the host process reads its configuration: the file, environment variables, the command line, Serilog.</summary>
public sealed partial class HostConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Unknown_key_stops_the_host_with_exit_code_2_naming_the_key_and_its_likely_spelling()
    {
        WriteConfiguration("""{ "Listen": { "Port": 0 }, "Limits": { "MaxMesageBytes": 1024 } }""");
        var (exitCode, output) = await GatewayProcess.RunToExitAsync(_folder);
        Assert.Equal(2, exitCode);
        Assert.Contains("wsgateway: Limits:MaxMesageBytes is not a known key (did you mean MaxMessageBytes?)", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Listening on", output);
    }

    [Fact]
    public async Task Invalid_values_stop_the_host_with_exit_code_2_and_one_line_per_key()
    {
        WriteConfiguration("""{ "Listen": { "Port": "abc" }, "Limits": { "MaxMessageBytes": 0 } }""");
        var (exitCode, output) = await GatewayProcess.RunToExitAsync(_folder, "Serilog:MinimumLevel:Default=Loud");
        Assert.Equal(2, exitCode);
        Assert.Contains("wsgateway: Listen:Port \"abc\" is not a whole number\n", output);
        Assert.Contains("wsgateway: Limits:MaxMessageBytes must be between 1 and 2147483583 (was 0)\n", output);
        Assert.Contains("wsgateway: Serilog:MinimumLevel:Default \"Loud\" is not one of Verbose, Debug, Information, Warning, Error, Fatal", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Broken_json_stops_the_host_with_exit_code_2_and_the_position_of_the_mistake()
    {
        WriteConfiguration("""{ "Listen": { "Port": 0, } """);
        var (exitCode, output) = await GatewayProcess.RunToExitAsync(_folder);
        Assert.Equal(2, exitCode);
        Assert.Contains("gateway.json: ", output);
        Assert.Contains("LineNumber: 0", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task Unknown_short_switch_stops_the_host_instead_of_being_skipped()
    {
        WriteConfiguration("""{ "Listen": { "Port": 0 } }""");
        var (exitCode, output) = await GatewayProcess.RunToExitAsync(_folder, "-p", "9000");
        Assert.Equal(2, exitCode);
        Assert.Contains("wsgateway: unknown switch -p (use --config PATH, --port N or Section:Key=value)", output);
    }

    [Fact]
    public async Task Environment_variable_overrides_the_file()
    {
        WriteConfiguration("""{ "Listen": { "Port": 0 }, "Limits": { "MaxMessageBytes": 1024 } }""");
        await using var gateway = await GatewayProcess.StartAsync(
            _folder, new Dictionary<string, string> { ["WSGATEWAY_Limits__MaxMessageBytes"] = "16" });
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 16));
        Assert.Equal("closed 1009", await EchoProbe.SendAsync(gateway.Port, 17));
    }

    [Fact]
    public async Task Command_line_key_overrides_the_environment_and_the_file()
    {
        WriteConfiguration("""{ "Listen": { "Port": 1 }, "Limits": { "MaxMessageBytes": 16 } }""");
        await using var gateway = await GatewayProcess.StartAsync(
            _folder, new Dictionary<string, string> { ["WSGATEWAY_Limits__MaxMessageBytes"] = "32" },
            "Limits:MaxMessageBytes=1024", "--port", "0", "--Limits:IdleTimeoutSeconds", "0");
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 1024));
        Assert.Equal("closed 1009", await EchoProbe.SendAsync(gateway.Port, 1025));
    }

    [Fact]
    public async Task Default_console_format_shows_the_session_of_connection_lines()
    {
        File.Copy(Path.Combine(BuildPaths.RepoRoot, "gateway.json"), Path.Combine(_folder, "gateway.json"));
        await using var gateway = await GatewayProcess.StartAsync(_folder, "--port", "0", "Serilog:MinimumLevel:Default=Debug");
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 5));

        Assert.True(await gateway.WaitForOutputAsync(line => SessionLine().IsMatch(line), Eventually.Patience), string.Join('\n', gateway.Output));
        Assert.Contains(gateway.Output, line => line.Contains(" INF       ] Listening on ws://127.0.0.1:" + gateway.Port + " as node ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task File_sink_from_the_configuration_writes_a_rolling_log()
    {
        WriteConfiguration("""
            {
              "Listen": { "Port": 0 },
              "Serilog": {
                "WriteTo": [
                  { "Name": "Console" },
                  { "Name": "File", "Args": { "path": "logs/gateway-.log", "rollingInterval": "Day" } }
                ]
              }
            }
            """);
        await using var gateway = await GatewayProcess.StartAsync(_folder);

        var logs = Path.Combine(_folder, "logs");
        Assert.True(await Eventually.TrueAsync(() => ReadLogs(logs).Contains("Listening on", StringComparison.Ordinal), Eventually.Patience));
        Assert.Matches(@"gateway-\d{8}\.log$", Directory.GetFiles(logs).Single());
    }

    [Fact]
    public async Task Serilog_argument_that_cannot_be_used_stops_the_host_with_exit_code_2()
    {
        WriteConfiguration("""
            {
              "Listen": { "Port": 0 },
              "Serilog": { "WriteTo": [ { "Name": "File", "Args": { "path": "x.log", "rollingInterval": "Weekly" } } ] }
            }
            """);
        var (exitCode, output) = await GatewayProcess.RunToExitAsync(_folder);
        Assert.Equal(2, exitCode);
        Assert.Contains("wsgateway: Serilog: ", output);
        Assert.DoesNotContain("   at ", output);
    }

    private void WriteConfiguration(string json) => File.WriteAllText(Path.Combine(_folder, "gateway.json"), json);

    private static string ReadLogs(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return "";
        }

        // The sink keeps the file open for writing.
        return string.Concat(Directory.GetFiles(folder).Select(path =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }));
    }

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d DBG ([0-9a-f]{16})\] .*\b\1\b")]
    private static partial Regex SessionLine();
}
