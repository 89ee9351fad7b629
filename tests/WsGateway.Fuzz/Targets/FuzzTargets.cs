namespace WsGateway.Fuzz;

/// <summary>
/// The fuzzed parsers by name. Each target feeds one input to the code under test and throws when it throws or breaks
/// its contract; returning is success. Shared by the afl++ harness and the replay test, so a crasher fails both.
/// </summary>
/// <remarks>
/// Inputs may begin with control bytes (documented on each target) that choose options and where the bytes are split
/// into segments, so the fuzzer also explores how reads are cut.
/// </remarks>
internal static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } = ["handshake", "frame", "message", "command"];

    public static bool TryGet(string name, out FuzzTarget target)
    {
        target = name switch
        {
            "handshake" => HandshakeTarget.Run,
            "frame" => FrameTarget.Run,
            "message" => MessageTarget.Run,
            "command" => CommandTarget.Run,
            _ => null!,
        };
        return target is not null;
    }
}

/// <summary>Feeds one input to a parser; throws on a crash or a broken invariant.</summary>
internal delegate void FuzzTarget(ReadOnlySpan<byte> input);
