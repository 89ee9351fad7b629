// description: Sends its text to every session on a command route, yours included: broadcast <text>
if (Args.Length == 0)
{
    return "usage: broadcast <text>";
}

await BroadcastAsync(Args);
return null;
