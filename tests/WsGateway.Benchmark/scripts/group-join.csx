// description: Adds your session to a group, for the benchmark's group cases: group-join <group>; answers "joined <group>"
// The answer comes after the join, so a client that waits for it knows the next message to the group reaches it.
if (Args.Length == 0)
{
    return "usage: group-join <group>";
}

await JoinGroupAsync(Args);
return $"joined {Args}";
