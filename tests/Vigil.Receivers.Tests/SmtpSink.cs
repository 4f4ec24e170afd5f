using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MimeKit;

namespace Vigil.Receivers.Tests;

internal sealed record ReceivedMail(MimeMessage Message, string MailFrom, IReadOnlyList<string> RcptTos, bool Tls, string? User);

/// <summary>A real SMTP server: Debian's aiosmtpd (python3-aiosmtpd, installed by eng/test.sh) running smtp_sink.py on
/// a free loopback port, writing what it accepts to a directory.</summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly TempDir _dir;

    private SmtpSink(ChildProcess process, TempDir dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpSink> StartAsync(TestCertificate? certificate = null, bool requireTls = false, bool implicitTls = false, string? user = null, string? password = null)
    {
        var dir = new TempDir();
        var port = Ports.Free();
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var args = new List<string> { Path.Combine(AppContext.BaseDirectory, "smtp_sink.py"), "--port", port.ToString(CultureInfo.InvariantCulture), "--out", dir.Path };
        if (certificate is not null)
        {
            args.AddRange(["--tls-cert", certificate.CertPath, "--tls-key", certificate.KeyPath]);
        }

        if (requireTls) args.Add("--require-tls");
        if (implicitTls) args.Add("--implicit-tls");
        if (user is not null) args.AddRange(["--user", user, "--password", password!]);

        var process = ChildProcess.Start(python, args);
        var sink = new SmtpSink(process, dir, port);
        try
        {
            await Poll.UntilAsync(() => process.Stdout.Contains("READY", StringComparison.Ordinal) || process.HasExited, TimeSpan.FromSeconds(20), "aiosmtpd to listen");
            if (process.HasExited)
            {
                throw new InvalidOperationException($"aiosmtpd did not start (is python3-aiosmtpd installed? eng/test.sh installs it)\n{process.Output}");
            }
        }
        catch
        {
            await sink.DisposeAsync();
            throw;
        }

        return sink;
    }

    public IReadOnlyList<ReceivedMail> Received()
    {
        var mails = new List<ReceivedMail>();
        foreach (var meta in Directory.GetFiles(_dir.Path, "*.json").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f), CultureInfo.InvariantCulture)))
        {
            var json = JsonDocument.Parse(File.ReadAllText(meta)).RootElement;
            var message = MimeMessage.Load(Path.ChangeExtension(meta, ".eml"));
            mails.Add(new ReceivedMail(message, json.GetProperty("mail_from").GetString()!,
                [.. json.GetProperty("rcpt_tos").EnumerateArray().Select(r => r.GetString()!)],
                json.GetProperty("tls").GetBoolean(), json.GetProperty("user").GetString()));
        }

        return mails;
    }

    public string Output => _process.Output;

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>A throwaway self-signed certificate for 127.0.0.1 and localhost, written as PEM files.</summary>
internal sealed class TestCertificate : IDisposable
{
    private readonly TempDir _dir = new();

    public TestCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var certificate = request.CreateSelfSigned(start, start.AddYears(10));
        CertPath = _dir.Combine("cert.pem");
        KeyPath = _dir.Combine("key.pem");
        File.WriteAllText(CertPath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public string CertPath { get; }

    public string KeyPath { get; }

    public void Dispose() => _dir.Dispose();
}
