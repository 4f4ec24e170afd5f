namespace Vigil.Configuration.Tests;

/// <summary>Names used in one place must be declared in another.</summary>
public sealed class ReferenceTests
{
    private const string Receivers = """
        receivers:
          ops-chat: { file: { path: /tmp/a.jsonl } }
          pager: { file: { path: /tmp/b.jsonl } }

        """;

    [Fact]
    public void Routes_limits_and_failover_must_name_declared_receivers()
    {
        var problems = TestConfig.Problems(Receivers + """
            routes:
              - receivers: [ops-chta]
                failover: [pager, nobody]
            limits:
              ghost: { rate: 5/min }
            """);

        Assert.Equal(3, problems.Count);
        var typo = TestConfig.Single(problems, "'ops-chta' is not a declared receiver");
        TestConfig.At(typo, 5, 17);
        Assert.Equal("routes[0].receivers: 'ops-chta' is not a declared receiver; did you mean 'ops-chat'? (declared: ops-chat, pager)", typo.Message);
        TestConfig.At(TestConfig.Single(problems, "routes[0].failover: 'nobody'"), 6, 23);
        TestConfig.At(TestConfig.Single(problems, "limits: 'ghost' is not a declared receiver"), 8, 3);
    }

    [Fact]
    public void Without_any_receiver_the_message_says_where_to_declare_them()
    {
        var p = Assert.Single(TestConfig.Problems("routes:\n  - receivers: [ops]\n"));

        Assert.Equal("routes[0].receivers: 'ops' is not a declared receiver; no receivers are declared (add them under receivers:)", p.Message);
    }

    [Fact]
    public void Depends_on_must_name_declared_checks_not_itself_and_not_in_a_cycle()
    {
        var problems = TestConfig.Problems("""
            checks:
              a: { every: 1m, depends_on: [b, internet] }
              b: { every: 1m, depends_on: [c] }
              c: { every: 1m, depends_on: [a] }
              d: { every: 1m, depends_on: [d] }
            """);

        Assert.Equal(3, problems.Count);
        TestConfig.At(TestConfig.Single(problems, "'internet' is not a declared check"), 2, 35);
        Assert.Contains(problems, p => p.Message.Contains("depends_on makes a cycle: a → b → c → a", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "checks.d.depends_on: a check cannot depend on itself");
    }

    [Fact]
    public void Remediations_must_be_declared_and_their_notify_steps_name_receivers()
    {
        var problems = TestConfig.Problems(Receivers + """
            remediations:
              restart:
                steps:
                  - run: [systemctl, restart, x]
                  - notify: [pagr]
                  - wait: 5m
                    attempts: 2
                  - run: "systemctl restart x"
            checks:
              a: { every: 1m, remediation: restrat }
            """);

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Message.StartsWith("remediations.restart.steps[1].notify: 'pagr' is not a declared receiver; did you mean 'pager'?", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "remediations.restart.steps[2]: attempts belongs to a run step");
        Assert.Contains(problems, p => p.Message.StartsWith("remediations.restart.steps[3].run: expected a list (the program and its arguments, run without a shell)", StringComparison.Ordinal));
        TestConfig.At(TestConfig.Single(problems, "checks.a.remediation: 'restrat' is not a declared remediation; did you mean 'restart'?"), 13, 32);
    }

    [Fact]
    public void Gates_name_declared_checks_and_breakers_and_modes_name_declared_checks()
    {
        var problems = TestConfig.Problems("""
            mode: paper
            modes:
              paper:
                checks:
                  ghost: { severity: warning }
            checks:
              bot: { every: 1m }
            breakers:
              exchange: { failure_threshold: 3 }
            gates:
              trading:
                checks: [bot, bto]
                breakers: [exchnage]
            """);

        Assert.Equal(3, problems.Count);
        TestConfig.At(TestConfig.Single(problems, "modes.paper.checks: 'ghost' is not a declared check"), 5, 7);
        Assert.Contains(problems, p => p.Message.StartsWith("gates.trading.checks: 'bto' is not a declared check; did you mean 'bot'?", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("gates.trading.breakers: 'exchnage' is not a declared breaker; did you mean 'exchange'?", StringComparison.Ordinal));
    }

    [Fact]
    public void Modes_need_a_chosen_mode_and_a_mode_needs_modes()
    {
        var noChoice = Assert.Single(TestConfig.Problems("modes:\n  paper: {}\n  live: {}\n"));
        var unknown = Assert.Single(TestConfig.Problems("mode: demo\nmodes:\n  paper: {}\n"));
        var noModes = Assert.Single(TestConfig.Problems("mode: paper\n"));

        TestConfig.At(noChoice, 1, 1);
        Assert.Contains("so mode: must choose one of paper, live", noChoice.Message, StringComparison.Ordinal);
        TestConfig.At(unknown, 1, 7);
        Assert.StartsWith("mode: 'demo' is not a declared mode", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("no modes are declared", noModes.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_receiver_declares_exactly_one_kind_with_its_required_keys()
    {
        var problems = TestConfig.Problems("""
            receivers:
              both: { file: { path: /tmp/x }, slack: { webhook_url: "https://hooks.slack.com/x" } }
              none: {}
              chat: { telegram: { chat_id: "1" } }
              mail: { email: { smtp: "mail:99999", from: nobody, to: [] } }
              hook: { webhook: { url: "https://h.example", format: prometheus, urll: x } }
            """);

        Assert.Contains(problems, p => p.Message == "receivers.both: give exactly one of webhook, file, telegram, discord, slack, email" && p.Line == 2 && p.Column == 35);
        Assert.Contains(problems, p => p.Message.StartsWith("receivers.none: give exactly one of", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "receivers.chat.telegram: missing token (the bot token)");
        Assert.Contains(problems, p => p.Message.StartsWith("receivers.mail.email.smtp: 'mail:99999' is not host:port", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message == "receivers.mail.email.to: give at least one recipient");
        Assert.Contains(problems, p => p.Message == "receivers.mail.email.from: 'nobody' is not an email address");
        Assert.Contains(problems, p => p.Message.StartsWith("receivers.hook.webhook.format: 'prometheus' is not one of vigil, alertmanager", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Message.StartsWith("receivers.hook.webhook: unknown key 'urll'; did you mean 'url'?", StringComparison.Ordinal));
        Assert.Equal(8, problems.Count);
    }

    [Fact]
    public void Duplicate_pinned_uuids_are_refused()
    {
        var p = Assert.Single(TestConfig.Problems("""
            checks:
              a: { uuid: 5f3b1c2e-8d4a-4b6e-9c1f-2a7d3e9b0c11 }
              b: { uuid: 5F3B1C2E-8D4A-4B6E-9C1F-2A7D3E9B0C11 }
            """));

        TestConfig.At(p, 3, 14);
        Assert.Equal("checks.b.uuid: the same uuid is already pinned by check 'a'", p.Message);
    }
}
