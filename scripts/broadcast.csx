// description: Sends its text to every session on a command route, yours included: broadcast <text>
#load ".editor/globals.csx" // for the editor; the gateway loads nothing from .editor/ (see README.md)
if (Args.Length == 0)
{
    return "usage: broadcast <text>";
}

await BroadcastAsync(Args);
return null;
