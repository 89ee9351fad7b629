using Humanize;

namespace WsGateway.Plugins.Tests.Humanize;

public sealed class WordsCommandTests
{
    [Theory]
    [InlineData("42", "forty-two")]
    [InlineData(" -1001 ", "minus one thousand and one")]
    [InlineData("0", "zero")]
    [InlineData("9223372036854775807", "nine quintillion two hundred and twenty-three quadrillion three hundred and seventy-two trillion thirty-six billion eight hundred and fifty-four million seven hundred and seventy-five thousand eight hundred and seven")]
    public async Task Words_spells_a_whole_number_in_English(string arguments, string reply) =>
        Assert.Equal(reply, (await new WordsCommand().RunAsync(arguments)).Reply);

    [Theory]
    [InlineData("")]
    [InlineData("many")]
    [InlineData("4.2")]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775808")]
    public async Task Words_answers_anything_else_with_its_usage(string arguments) =>
        Assert.Equal("Usage: words <whole number>, for example: words 42", (await new WordsCommand().RunAsync(arguments)).Reply);
}
