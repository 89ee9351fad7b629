namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// Every byte waiting to be sent counts against <c>Limits:MemoryBudgetBytes</c> and is given back once sent: plain
/// HTTP answers too. Before, they were given back without having been counted, so every page, scrape and refusal
/// pushed the count below zero, and the budget grew by as much.
/// </summary>
public sealed class HttpAnswerBudgetTests
{
    [Fact]
    public async Task Plain_http_answers_leave_the_memory_budget_exactly_as_they_found_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        var budget = gateway.Gateway.Budget;
        using var http = new HttpClient { Timeout = Eventually.Patience };

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(gateway.HttpUri("/metrics"))).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync(gateway.HttpUri("/no-such-page"))).StatusCode);
        }

        Assert.True(await Eventually.TrueAsync(() => budget.Used == 0, Eventually.Patience), $"{budget.Used} bytes counted after the answers were sent");
    }
}
