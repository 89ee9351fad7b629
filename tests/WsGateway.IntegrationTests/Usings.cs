global using WsGateway.IntegrationTests.Infrastructure;
