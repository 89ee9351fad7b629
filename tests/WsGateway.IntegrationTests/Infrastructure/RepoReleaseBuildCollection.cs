namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that build this clone's own projects in Release, in its own obj/ (the single-file publish, the README's
/// <c>dotnet pack</c>): one at a time, since a restore for a runtime (<c>-r linux-x64</c>) and one without rewrite the
/// same project.assets.json.
/// </summary>
[CollectionDefinition(nameof(RepoReleaseBuildCollection))]
public sealed class RepoReleaseBuildCollection;
