namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// Tests that load the machine (hundreds of sockets, a fuzz run) or measure the test process itself. xUnit runs this
/// collection after the parallel ones, alone: they neither starve other tests' deadlines nor count a neighbour's memory.
/// </summary>
[CollectionDefinition(nameof(RunAloneCollection), DisableParallelization = true)]
public sealed class RunAloneCollection;
