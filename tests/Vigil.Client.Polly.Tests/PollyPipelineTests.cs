using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Vigil.Domain.Breakers;
using Vigil.Server;
using Vigil.Testing;

namespace Vigil.Client.Polly.Tests;

/// <summary>A Polly v8 pipeline in this process on a breaker Vigil shares with other processes: a real Vigil
/// server on loopback, and the real <c>vigil</c> CLI as the other process.</summary>
public sealed class PollyPipelineTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private VigilServer _server = null!;
    private string _url = "";
    private string _key = "";
    private VigilClient _client = null!;

    public async Task InitializeAsync()
    {
        var settings = new ServerSettings
        {
            DataDirectory = _dir.Combine("data"),
            Urls = "http://127.0.0.1:0",
            Breakers =
            [
                new BreakerDefinition { Name = "exchange", FailureThreshold = 3, OpenFor = TimeSpan.FromHours(1), MaxOpenFor = TimeSpan.FromHours(2) },
                new BreakerDefinition { Name = "vendor", FailureThreshold = 1, OpenFor = TimeSpan.FromMilliseconds(200), MaxOpenFor = TimeSpan.FromSeconds(1) },
            ],
        };
        _server = await VigilServer.StartAsync(settings, new VigilServerOptions { ConfigureLogging = l => l.ClearProviders() });
        _url = _server.Addresses[0].TrimEnd('/');
        _key = (await File.ReadAllTextAsync(Path.Combine(settings.DataDirectory, "admin.key"))).Trim();
        _client = new VigilClient(new Uri(_url), _key);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private static ResiliencePipeline Pipeline(VigilClient client, string name, Action<VigilBreakerStrategyOptions>? configure = null) =>
        new ResiliencePipelineBuilder().AddVigilBreaker(client, name, configure).Build();

    [Fact]
    public async Task A_pipeline_opens_on_a_shared_breaker_that_another_process_tripped_with_retry_after_and_never_calls()
    {
        var env = new Dictionary<string, string?> { ["VIGIL_URL"] = _url, ["VIGIL_API_KEY"] = _key };
        for (var i = 0; i < 3; i++)
        {
            await using var other = ChildProcess.StartVigil(["breaker", "report", "exchange", "--outcome", "failure", "--error", "HTTP 502"], env);
            Assert.True(await other.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 0, other.Output);
        }

        var called = false;
        var refused = await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
            await Pipeline(_client, "exchange").ExecuteAsync(_ =>
            {
                called = true;
                return ValueTask.CompletedTask;
            }));

        Assert.False(called, "the pipeline called the dependency through an open shared breaker");
        Assert.NotNull(refused.RetryAfter);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));
        Assert.Contains("exchange", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_through_the_pipeline_trip_the_shared_breaker_for_every_process_and_exceptions_pass_through()
    {
        var pipeline = Pipeline(_client, "exchange");
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(async () =>
                await pipeline.ExecuteAsync(_ => throw new HttpRequestException("502 from the exchange")));
        }

        var info = await _client.Breaker("exchange").GetAsync();
        Assert.Equal("open", info.State);
        Assert.Contains("502 from the exchange", info.Json.GetProperty("last_error").GetString(), StringComparison.Ordinal);
        using var otherClient = new VigilClient(new Uri(_url), _key);
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await Pipeline(otherClient, "exchange").ExecuteAsync(_ => ValueTask.CompletedTask));
    }

    [Fact]
    public async Task After_the_cooldown_the_pipelines_attempt_is_the_probe_and_its_success_closes_the_breaker()
    {
        await _client.Breaker("vendor").ReportAsync(BreakerOutcome.Failure, error: "timeout");
        await Poll.UntilAsync(async () => (await _client.Breaker("vendor").GetAsync()).State == "half_open", "the cooldown to end by itself");

        var result = await Pipeline(_client, "vendor").ExecuteAsync(_ => ValueTask.FromResult(42));

        Assert.Equal(42, result);
        var closed = await _client.Breaker("vendor").GetAsync();
        Assert.Equal("closed", closed.State);
        Assert.NotNull(closed.LastSuccessAt);
    }

    [Fact]
    public async Task Failure_results_count_when_the_options_say_so_in_a_typed_pipeline()
    {
        var pipeline = new ResiliencePipelineBuilder<HttpStatusCode>()
            .AddVigilBreaker(_client, "vendor", o => o.IsFailureResult = r => r is HttpStatusCode code && (int)code >= 500)
            .Build();

        var first = await pipeline.ExecuteAsync(_ => ValueTask.FromResult(HttpStatusCode.BadGateway));

        Assert.Equal(HttpStatusCode.BadGateway, first);
        Assert.Equal("open", (await _client.Breaker("vendor").GetAsync()).State);
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.FromResult(HttpStatusCode.OK)));
    }

    [Fact]
    public async Task When_vigil_is_unreachable_breakers_fail_open_by_default_and_closed_when_asked()
    {
        using var unreachable = new VigilClient(new Uri($"http://127.0.0.1:{Ports.Free()}"), _key);
        var calls = 0;

        await Pipeline(unreachable, "exchange").ExecuteAsync(_ =>
        {
            calls++;
            return ValueTask.CompletedTask;
        });
        var refused = await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
            await Pipeline(unreachable, "exchange", o => o.FailOpen = false).ExecuteAsync(_ =>
            {
                calls++;
                return ValueTask.CompletedTask;
            }));

        Assert.Equal(1, calls);
        Assert.Contains("unreachable", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forced_open_breaker_refuses_without_a_retry_after()
    {
        await _client.Breaker("exchange").ForceAsync(BreakerForce.Open, "exchange maintenance");

        var refused = await Assert.ThrowsAsync<BrokenCircuitException>(async () => await Pipeline(_client, "exchange").ExecuteAsync(_ => ValueTask.CompletedTask));

        Assert.Null(refused.RetryAfter);
        Assert.Contains("forced_open", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_breaker_named_alone_uses_a_client_from_the_environment()
    {
        // The only test that sets these: the shared client is made on first use, from them.
        Environment.SetEnvironmentVariable("VIGIL_URL", _url);
        Environment.SetEnvironmentVariable("VIGIL_API_KEY", _key);
        try
        {
            await _client.Breaker("exchange").ForceAsync(BreakerForce.Open, "maintenance of the exchange");
            var called = false;
            var pipeline = new ResiliencePipelineBuilder().AddVigilBreaker("exchange").Build();
            var refused = await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
                await pipeline.ExecuteAsync(_ =>
                {
                    called = true;
                    return ValueTask.CompletedTask;
                }));
            Assert.False(called);
            Assert.Contains("exchange", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await _client.Breaker("exchange").ForceAsync(BreakerForce.Auto, "maintenance over");
            Environment.SetEnvironmentVariable("VIGIL_URL", null);
            Environment.SetEnvironmentVariable("VIGIL_API_KEY", null);
        }
    }
}
