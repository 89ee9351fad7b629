using System.Net.WebSockets;

namespace WsGateway.IntegrationTests.Scripts;

/// <summary>The repository's own sample plugins and scripts, as a fresh clone ships them.</summary>
public sealed class TutorialCommandsTests
{
    [Fact]
    public async Task All_eight_tutorial_commands_and_echo_answer_over_both_paths()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Plugins.Directory = BuildPaths.SamplePlugins;
            o.Scripts.Directory = BuildPaths.SampleScripts;
        });

        foreach (var path in new[] { "/", "/websocket/server.php" })
        {
            using var client = await gateway.ConnectAsync(path);
            foreach (var command in new[] { "hello", "hi", "name Ada", "age", "date", "time", "thanks" })
            {
                var reply = await client.AskAsync(command);
                Assert.False(reply.StartsWith("error:", StringComparison.Ordinal), $"{command} answered {reply}");
            }

            Assert.Equal("say this back", await client.AskAsync("echo say this back"));
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", await client.AskAsync("date"));
            await client.SendTextAsync("bye");
            Assert.Contains("Ada", await client.ReceiveTextAsync());
            Assert.Equal(WebSocketCloseStatus.NormalClosure, (await client.ReceiveCloseAsync()).Status);
        }
    }
}
