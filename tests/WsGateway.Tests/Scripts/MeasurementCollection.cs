namespace WsGateway.Tests.Scripts;

/// <summary>
/// Tests that measure time or memory run alone, after the parallel ones: other tests compiling on the same
/// 2 cores would measure the machine, not the catalog.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasurementCollection
{
    public const string Name = "Measurements";
}
