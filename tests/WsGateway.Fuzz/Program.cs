using SharpFuzz;
using WsGateway.Fuzz;

// The afl++ harness: `WsGateway.Fuzz TARGET` under afl-fuzz, with the library DLLs instrumented by sharpfuzz
// (run.sh does both). Outside afl it runs the input on standard input once, which is handy to try one file.
if (args.Length != 1 || !FuzzTargets.TryGet(args[0], out var target))
{
    Console.Error.WriteLine($"usage: WsGateway.Fuzz {string.Join('|', FuzzTargets.Names)}  (input on standard input)");
    return 2;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var input = new MemoryStream();
    stream.CopyTo(input);
    target(input.GetBuffer().AsSpan(0, (int)input.Length));
});
return 0;
