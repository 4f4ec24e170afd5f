using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Configuration.Tests;

/// <summary>Every probe kind's keys from spec/config.md are read into a typed definition; unknown keys, wrong
/// types, missing keys and bad conditions are problems at their line and column.</summary>
public sealed class ProbeConfigTests
{
    private static CheckDefinition Check(string probe, string extra = "")
    {
        var config = TestConfig.Valid($"checks:\n  p:\n    kind: probe\n    probe: {probe}\n{extra}");
        return Assert.Single(config.Checks);
    }

    private static IReadOnlyList<ConfigProblem> Problems(string probe, string extra = "") =>
        TestConfig.Problems($"checks:\n  p:\n    kind: probe\n    probe: {probe}\n{extra}");

    [Fact]
    public void Http_reads_every_key()
    {
        var c = Check("""{ http: { url: "https://api.example.com/health", method: POST, headers: { Authorization: "Bearer x" }, body: "{}", expect_status: [200, 3xx], expect_body: "ok", json: "$.data[0]['updated at']", value: timestamp, tls_verify: false, ca_file: ca.pem, timeout: 5s } }""");

        var http = Assert.IsType<HttpProbeDefinition>(c.Probe);
        Assert.Equal(("POST", "{}", "ok", "$.data[0]['updated at']", ValueKind.Timestamp, false, "/etc/vigil/ca.pem"), (http.Method, http.Body, http.ExpectBody, http.Json, http.Value, http.TlsVerify, http.CaFile));
        Assert.Equal([new StatusRange(200, 200), new StatusRange(300, 399)], http.ExpectStatus!);
        Assert.Equal("Bearer x", http.Headers["Authorization"]);
        Assert.Equal(TimeSpan.FromSeconds(5), http.Timeout);
    }

    [Fact]
    public void Http_refuses_a_writing_method_a_bad_status_and_a_missing_url_at_their_positions()
    {
        var problems = Problems("""{ http: { method: DELETE, expect_status: [200, 6xx] } }""");

        TestConfig.At(TestConfig.Single(problems, "checks.p.probe.http: missing url"), 4, 20);
        TestConfig.At(TestConfig.Single(problems, "'DELETE' is not one of GET, HEAD, POST, OPTIONS"), 4, 30);
        TestConfig.At(TestConfig.Single(problems, "expect_status[1]: '6xx' is not an HTTP status"), 4, 59);
    }

    [Fact]
    public void Tcp_and_tls_read_host_and_port()
    {
        var tcp = Assert.IsType<TcpProbeDefinition>(Check("{ tcp: { host: db.internal, port: 5432 } }").Probe);
        var tls = Assert.IsType<TlsProbeDefinition>(Check("{ tls: { host: example.com, server_name: www.example.com, tls_verify: true } }").Probe);
        var problems = Problems("{ tcp: { host: db.internal, port: 70000 } }");

        Assert.Equal(("db.internal", 5432), (tcp.Host, tcp.Port));
        Assert.Equal(("example.com", 443, "www.example.com"), (tls.Host, tls.Port, tls.ServerName));
        TestConfig.At(TestConfig.Single(problems, "checks.p.probe.tcp.port: must be between 1 and 65535"), 4, 46);
    }

    [Fact]
    public void File_reads_json_or_regex_but_not_both()
    {
        var file = Assert.IsType<FileProbeDefinition>(Check("{ file: { path: state/token.json, regex: 'ts=(\\d+)', value: timestamp } }").Probe);
        var problems = Problems("{ file: { path: x.json, json: $.a, regex: 'a', valu: number } }");

        Assert.Equal(("/etc/vigil/state/token.json", "ts=(\\d+)", ValueKind.Timestamp), (file.Path, file.Regex, file.Value));
        TestConfig.Single(problems, "give either json or regex, not both");
        TestConfig.At(TestConfig.Single(problems, "unknown key 'valu'; did you mean 'value'?"), 4, 59);
    }

    [Fact]
    public void Sql_needs_exactly_one_database_and_a_query()
    {
        var sqlite = Assert.IsType<SqlProbeDefinition>(Check("{ sql: { sqlite: data/cache.db, query: 'SELECT count(*) FROM watchlist', value: rows } }").Probe);
        var pg = Assert.IsType<SqlProbeDefinition>(Check("{ sql: { postgres: 'Host=db;Database=app;Password=hunter2-secret', query: 'SELECT 1' } }").Probe);
        var problems = Problems("{ sql: { sqlite: a.db, postgres: 'Host=db;Password=hunter2-secret', value: rows } }");

        Assert.Equal(("/etc/vigil/data/cache.db", ValueKind.Rows), (sqlite.Sqlite, sqlite.Value));
        Assert.Equal("Host=db;Database=app;Password=hunter2-secret", pg.Postgres);
        Assert.DoesNotContain("hunter2", pg.ToString(), StringComparison.Ordinal);
        TestConfig.Single(problems, "give exactly one of sqlite (a database file) or postgres");
        TestConfig.Single(problems, "missing query");
        Assert.All(problems, p => Assert.DoesNotContain("hunter2", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Redis_reads_one_command()
    {
        var hget = Assert.IsType<RedisProbeDefinition>(Check("{ redis: { connection: 'localhost:6379', hget: [h, f], value: timestamp } }").Probe);
        var llen = Assert.IsType<RedisProbeDefinition>(Check("{ redis: { connection: 'localhost:6379', llen: jobs } }").Probe);
        var problems = Problems("{ redis: { connection: 'localhost:6379', get: a, xlen: b } }");
        var pair = Problems("{ redis: { connection: 'localhost:6379', hget: [h] } }");
        var length = Problems("{ redis: { connection: 'localhost:6379', xlen: s, value: timestamp } }");

        Assert.Equal((RedisCommand.HGet, "h", "f", ValueKind.Timestamp), (hget.Command, hget.Key, hget.Field, hget.Value));
        Assert.Equal((RedisCommand.LLen, "jobs"), (llen.Command, llen.Key));
        TestConfig.Single(problems, "give exactly one of get: KEY, hget: [KEY, FIELD], xlen: KEY, llen: KEY");
        TestConfig.Single(pair, "give [KEY, FIELD], a list of two");
        TestConfig.Single(length, "xlen measures a length, which is a number, not a timestamp");
    }

    [Fact]
    public void Ntp_reads_servers_with_optional_ports()
    {
        var ntp = Assert.IsType<NtpProbeDefinition>(Check("{ ntp: { servers: [time.cloudflare.com, '10.0.0.1:1123', '[::1]:123', '::1'], timeout: 3s } }").Probe);
        var problems = Problems("{ ntp: { servers: [a.example, 'b.example:0'] } }");

        Assert.Equal([new HostPort("time.cloudflare.com", 123), new HostPort("10.0.0.1", 1123), new HostPort("::1", 123), new HostPort("::1", 123)], ntp.Servers);
        TestConfig.At(TestConfig.Single(problems, "the port must be a number from 1 to 65535"), 4, 42);
    }

    [Fact]
    public void Http_time_reads_json_and_unit_and_the_unit_needs_json()
    {
        var t = Assert.IsType<HttpTimeProbeDefinition>(Check("{ http_time: { url: 'https://api.binance.com/api/v3/time', json: $.serverTime, unit: ms } }").Probe);
        var date = Assert.IsType<HttpTimeProbeDefinition>(Check("{ http_time: { url: 'https://example.com/' } }").Probe);
        var problems = Problems("{ http_time: { url: 'https://example.com/', unit: us } }");
        var unitWithoutJson = Problems("{ http_time: { url: 'https://example.com/', unit: s } }");

        Assert.Equal(("$.serverTime", TimeUnit.Milliseconds), (t.Json, t.Unit));
        Assert.Null(date.Json);
        TestConfig.Single(problems, "'us' is not one of s, ms");
        TestConfig.Single(unitWithoutJson, "applies to an epoch number read by json:");
    }

    [Fact]
    public void Memory_reads_exactly_one_target()
    {
        var unit = Assert.IsType<MemoryProbeDefinition>(Check("{ memory: { systemd_unit: worker.service } }").Probe);
        var pid = Assert.IsType<MemoryProbeDefinition>(Check("{ memory: { pid: 4242 } }").Probe);
        var file = Assert.IsType<MemoryProbeDefinition>(Check("{ memory: { pid_file: run/worker.pid } }").Probe);
        var two = Problems("{ memory: { pid: 1, cgroup: /jobs } }");
        var zero = Problems("{ memory: { pid: 0 } }");

        Assert.Equal((MemoryTarget.SystemdUnit, "worker.service"), (unit.Target, unit.Of));
        Assert.Equal((MemoryTarget.Pid, "4242"), (pid.Target, pid.Of));
        Assert.Equal("/etc/vigil/run/worker.pid", file.Of);
        TestConfig.Single(two, "give exactly one of systemd_unit, pid_file, pid, cgroup");
        TestConfig.Single(zero, "pid: must be 1 or more");
    }

    [Fact]
    public void Command_takes_an_argv_list_and_refuses_a_shell_line()
    {
        var c = Assert.IsType<CommandProbeDefinition>(Check("{ command: { run: [/usr/lib/nagios/plugins/check_disk, -w, '10%'], timeout: 20s } }").Probe);
        var line = Problems("{ command: { run: '/usr/lib/nagios/plugins/check_disk -w 10%' } }");

        Assert.Equal(["/usr/lib/nagios/plugins/check_disk", "-w", "10%"], c.Run);
        TestConfig.At(TestConfig.Single(line, "give the command as a list of arguments"), 4, 30);
    }

    [Fact]
    public void Prometheus_needs_url_and_query()
    {
        var p = Assert.IsType<PrometheusProbeDefinition>(Check("{ prometheus: { url: 'http://prometheus:9090', query: 'sum(up{job=\"scanner\"})' } }").Probe);
        var problems = Problems("{ prometheus: { url: 'http://prometheus:9090' } }");

        Assert.Equal("sum(up{job=\"scanner\"})", p.Query);
        TestConfig.Single(problems, "checks.p.probe.prometheus: missing query");
    }

    [Fact]
    public void Conditions_are_typed_and_unmeasurable_is_read()
    {
        var c = Check("{ memory: { pid: 1 } }", "    warn_if: used_pct >= 95%\n    critical_if: \"used_bytes > 2GiB\"\n    unmeasurable: warning\n");

        Assert.Equal(new Condition(Quantity.UsedPct, ComparisonOperator.GreaterOrEqual, 95, "95%"), c.WarnIf);
        Assert.Equal(2d * (1L << 30), c.CriticalIf!.Threshold);
        Assert.Equal(Level.Warning, c.Unmeasurable);
    }

    [Theory]
    [InlineData("warn_if: \"agee > 10m\"", 15, "unknown quantity 'agee'; conditions compare one of age, skew")]
    [InlineData("warn_if: \"age => 10m\"", 19, "unknown operator '=>'")]
    [InlineData("warn_if: \"age > 10x\"", 21, "'10x' is not a duration")]
    [InlineData("warn_if: 'rows > 5m'", 22, "'5m' is a duration, but rows is a plain number")]
    [InlineData("warn_if: \"used_pct > 5m\"", 26, "'5m' is not a percentage")]
    [InlineData("critical_if: age > 10m now", 28, "unexpected 'now' after the value '10m'")]
    public void Condition_errors_point_at_the_part_that_is_wrong(string line, int column, string message)
    {
        var problems = Problems("{ memory: { pid: 1 } }", $"    {line}\n");

        TestConfig.At(TestConfig.Single(problems, message), 5, column);
    }

    [Fact]
    public void A_condition_on_a_quantity_the_probe_does_not_measure_is_a_problem()
    {
        var age = Problems("{ sql: { sqlite: a.db, query: 'SELECT 1' } }", "    warn_if: \"age > 10m\"\n");
        var days = Problems("{ http: { url: 'http://example.com' } }", "    critical_if: \"days_left < 14\"\n");

        TestConfig.At(TestConfig.Single(age, "names age, which this sql probe does not measure (it measures value, rows, latency); add value: timestamp"), 5, 14);
        TestConfig.Single(days, "days_left needs an https:// url");
    }

    [Fact]
    public void Modes_may_override_the_conditions_of_a_probe_check()
    {
        var config = TestConfig.Valid("""
            mode: paper
            modes:
              paper: {}
              live:
                checks:
                  clock-skew: { warn_if: "skew > 500ms", critical_if: "skew > 1s", unmeasurable: critical }
            checks:
              clock-skew:
                kind: probe
                probe: { ntp: { servers: [time.cloudflare.com] } }
                warn_if: "skew > 2s"
                unmeasurable: warning
            """);

        Assert.Equal((2d, Level.Warning), (config.Checks[0].WarnIf!.Threshold, config.Checks[0].Unmeasurable));
        var live = config.ChecksIn("live")[0];
        Assert.Equal((0.5, 1d, Level.Critical), (live.WarnIf!.Threshold, live.CriticalIf!.Threshold, live.Unmeasurable));
        Assert.IsType<NtpProbeDefinition>(live.Probe);
    }

    [Fact]
    public void An_unchanged_probe_check_compares_equal_when_loaded_twice()
    {
        const string yaml = "checks:\n  p:\n    kind: probe\n    probe: { command: { run: [check, -w, '1'] } }\n    critical_if: exit_status != 0\n";

        var a = TestConfig.Valid(yaml).Checks[0];
        var b = TestConfig.Valid(yaml).Checks[0];

        Assert.True(a.HasSameSettingsAs(b));
        Assert.False(a.HasSameSettingsAs(b with { Probe = new CommandProbeDefinition { Run = ["check", "-w", "2"] } }));
    }
}
