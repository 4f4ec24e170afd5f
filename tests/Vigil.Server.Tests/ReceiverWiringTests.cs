using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Vigil.Configuration;
using Vigil.Domain.Notifications;
using Vigil.Receivers;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>The receivers declared in vigil.yaml reach the dispatcher with their settings, and secrets stay out of logs.</summary>
public sealed class ReceiverWiringTests
{
    private const string Token = "987654:telegram-bot-token-never-logged";

    [Fact]
    public void Every_receiver_kind_is_accepted_and_carries_its_settings_without_showing_secrets()
    {
        var env = new Dictionary<string, string?>
        {
            ["TG"] = Token,
            ["DC"] = "https://discord.com/api/webhooks/1/discord-webhook-token",
            ["SL"] = "https://hooks.slack.com/services/T1/B1/slack-webhook-token",
            ["PW"] = "smtp-password-never-logged",
        };
        var config = ConfigLoader.LoadText("""
            receivers:
              tg: { telegram: { token: "${TG}", chat_id: "-100", api_url: "http://127.0.0.1:8081", message_thread_id: 7 } }
              dc: { discord: { webhook_url: "${DC}", api_url: "http://127.0.0.1:8082" } }
              sl: { slack: { webhook_url: "${SL}" } }
              mail: { email: { smtp: "127.0.0.1:2525", tls: none, username: u, password: "${PW}", from: a@example.com, to: [b@example.com] } }
              am: { webhook: { url: "http://127.0.0.1:9093/hook", format: alertmanager, headers: { Authorization: "Bearer ${PW}" } } }
              disk: { file: { path: /tmp/vigil-alerts.jsonl } }
            routes:
              - receivers: [tg, dc, sl, mail, am, disk]
            """, "/etc/vigil/vigil.yaml", env);
        Assert.True(config.IsValid, string.Join('\n', config.Problems));

        var (settings, unsupported) = SettingsFromConfig.Create(config.Config!, VigilHost.Epoch);

        Assert.Empty(unsupported);
        var byName = settings.Receivers.ToDictionary(r => r.Name);
        var tg = Assert.IsType<TelegramOptions>(byName["tg"].Options);
        Assert.Equal((Token, "-100", 7L, new Uri("http://127.0.0.1:8081")), (tg.Token, tg.ChatId, tg.MessageThreadId!.Value, tg.ApiUrl));
        Assert.Equal("http://127.0.0.1:8082/api/webhooks/1/discord-webhook-token", Assert.IsType<DiscordOptions>(byName["dc"].Options).WebhookUrl);
        Assert.Equal(env["SL"], Assert.IsType<SlackOptions>(byName["sl"].Options).WebhookUrl);
        var mail = Assert.IsType<EmailOptions>(byName["mail"].Options);
        Assert.Equal((EmailTls.None, "smtp-password-never-logged"), (mail.Tls, mail.Password));
        var am = Assert.IsType<WebhookOptions>(byName["am"].Options);
        Assert.Equal(WebhookFormat.Alertmanager, am.Format);
        Assert.Equal("Bearer smtp-password-never-logged", am.Headers["Authorization"]);
        Assert.IsType<FileReceiverOptions>(byName["disk"].Options);

        var printed = string.Join('\n', settings.Receivers.Select(r => r.ToString() + " " + r.Options));
        foreach (var secret in new[] { "telegram-bot-token", "discord-webhook-token", "slack-webhook-token", "smtp-password" })
        {
            Assert.DoesNotContain(secret, printed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_email_api_url_is_still_refused_with_a_sentence()
    {
        var config = ConfigLoader.LoadText("""
            receivers:
              mail: { email: { smtp: "m.example.com", api_url: "https://mail.example/api", from: a@example.com, to: [b@example.com] } }
            """, "/etc/vigil/vigil.yaml", new Dictionary<string, string?>());

        var (_, unsupported) = SettingsFromConfig.Create(config.Config!, VigilHost.Epoch);

        Assert.Equal("receivers.mail.email.api_url: sending through an HTTP mail API is not available in this version yet; use smtp: host:port", Assert.Single(unsupported));
    }

    [Fact]
    public async Task A_telegram_alert_is_retried_after_the_bot_apis_retry_after_and_the_token_never_reaches_the_log()
    {
        var requests = new ConcurrentQueue<JsonElement>();
        var answer429 = true;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var bot = builder.Build();
        bot.MapPost($"/bot{Token}/sendMessage", async (HttpContext ctx) =>
        {
            requests.Enqueue((await JsonDocument.ParseAsync(ctx.Request.Body)).RootElement.Clone());
            ctx.Response.ContentType = "application/json";
            if (answer429)
            {
                ctx.Response.StatusCode = 429;
                await ctx.Response.WriteAsync("""{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 30","parameters":{"retry_after":30}}""");
                return;
            }

            await ctx.Response.WriteAsync("""{"ok":true,"result":{"message_id":1}}""");
        });
        await bot.StartAsync();
        var api = bot.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var host = await VigilHost.StartAsync(s => s with
        {
            PublicUrl = "https://vigil.example",
            Receivers = [new ReceiverSettings("tg", "telegram") { Options = new TelegramOptions(Token, "-100") { ApiUrl = new Uri(api) } }],
            Routes = [new Route { Receivers = ["tg"] }],
        });
        await host.PutCheckAsync("job", """{"every":"1h","description":"Hourly <import> job","runbook":"https://wiki.example/job"}""");
        using (await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}/fail"))
        {
        }

        await Poll.UntilAsync(() => host.Logs.All.Contains("Delivery to tg failed (attempt 1)", StringComparison.Ordinal), "the 429 is recorded");
        answer429 = false;
        await host.AdvanceAsync(TimeSpan.FromSeconds(20));
        Assert.Single(requests);
        await host.AdvanceAsync(TimeSpan.FromSeconds(11));
        await Poll.UntilAsync(() => requests.Count == 2, "the retry after Retry-After");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");

        var text = requests.Last().GetProperty("text").GetString()!;
        Assert.StartsWith("🔴 <b>DOWN: job</b>\n", text, StringComparison.Ordinal);
        Assert.Contains("<b>Issue:</b> Hourly &lt;import&gt; job", text, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://vigil.example/checks/job\">Open in Vigil</a>", text, StringComparison.Ordinal);
        Assert.Contains("retry after 30s", host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("telegram-bot-token", host.Logs.All, StringComparison.Ordinal);
    }
}
