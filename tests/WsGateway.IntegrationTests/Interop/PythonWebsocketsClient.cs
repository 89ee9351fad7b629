using System.Text.Json;

namespace WsGateway.IntegrationTests.Interop;

/// <summary>python/client.py, driven by Debian's <c>python3-websockets</c> under the system's <c>/usr/bin/python3</c>.</summary>
internal static class PythonWebsocketsClient
{
    /// <summary>The system interpreter: Debian's package installs the module for it, not for other Pythons on PATH.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<Task> Available = new(CheckAvailableAsync);

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Interop", "python");

    /// <summary>Runs one scenario of client.py against <paramref name="url"/> and returns the JSON it printed.</summary>
    public static async Task<JsonElement> RunAsync(Uri url, string scenario)
    {
        await Available.Value;
        var run = await ClientProgram.RunAsync(Python, ["client.py", url.ToString(), scenario], Folder, ScenarioTimeout);
        Assert.True(run.Succeeded, $"The websockets client failed:\n{run.Describe()}");
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.Clone();
    }

    private static async Task CheckAvailableAsync()
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing; the interop tests need Debian's python3 and python3-websockets.");
        }

        var run = await ClientProgram.RunAsync(Python, ["-c", "import websockets"], Folder, TimeSpan.FromSeconds(30));
        if (!run.Succeeded)
        {
            throw new InvalidOperationException(
                "The Python module websockets is missing: run tests/run.sh as root on Debian (it installs " +
                $"python3-websockets when missing) or apt-get install -y python3-websockets.\n{run.Describe()}");
        }
    }
}
