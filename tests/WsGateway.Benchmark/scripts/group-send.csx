// description: Sends text to every member of a group, for the benchmark's group cases: group-send <group> <text>
int space = Args.IndexOf(' ');
if (space <= 0)
{
    return "usage: group-send <group> <text>";
}

await SendToGroupAsync(Args[..space], Args[(space + 1)..]);
return null;
