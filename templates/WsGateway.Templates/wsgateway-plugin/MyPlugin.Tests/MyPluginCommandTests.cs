using MyPlugin;

namespace MyPlugin.Tests;

public sealed class MyPluginCommandTests
{
    [Fact]
    public async Task Greets_the_caller() =>
        Assert.Equal("Hello from MyPlugin!", (await new MyPluginCommand().RunAsync()).Reply);

    [Fact]
    public async Task Greets_a_name() =>
        Assert.Equal("Hello, Ada, from MyPlugin!", (await new MyPluginCommand().RunAsync(" Ada ")).Reply);
}
