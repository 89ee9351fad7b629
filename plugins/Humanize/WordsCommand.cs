using System.Globalization;
using Humanizer;
using WsGateway.Contracts;

namespace Humanize;

public sealed class WordsCommand : ICommand
{
    // Humanizer speaks many languages; the gateway's replies are English whatever the server's culture.
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public string Name => "words";

    public string Description => "words <number> spells a whole number out in English, e.g. words 42 -> forty-two.";

    public ValueTask ExecuteAsync(ICommandContext context)
    {
        // long.MinValue has no positive counterpart, which Humanizer needs to spell the "minus" form.
        if (!long.TryParse(context.Arguments.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ||
            number == long.MinValue)
        {
            return context.ReplyAsync("Usage: words <whole number>, for example: words 42");
        }

        return context.ReplyAsync(number.ToWords(English));
    }
}
