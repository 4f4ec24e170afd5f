using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Probes;

/// <summary>
/// Decides whether a server certificate is trusted: by the system's roots, by the roots of a <c>ca_file</c>
/// (PEM) instead, or not at all with <c>tls_verify: false</c>. Returns the reason when it is not, so a probe
/// can say "not trusted: the certificate does not name db.internal" rather than "handshake failed".
/// </summary>
internal sealed class CertificateTrust(bool verify, string? caFile)
{
    private X509Certificate2Collection? _roots;

    public string? Problem(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!verify)
        {
            return null;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the server sent no certificate";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return "the certificate does not name the host";
        }

        if (caFile is null)
        {
            return errors == SslPolicyErrors.None ? null : $"the certificate is not trusted ({Statuses(chain)})";
        }

        try
        {
            _roots ??= LoadRoots();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return $"cannot read the ca_file {caFile}: {ex.Message}";
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return custom.Build(leaf) ? null : $"the certificate is not trusted by {caFile} ({Statuses(custom)})";
    }

    private X509Certificate2Collection LoadRoots()
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(caFile!);
        return roots;
    }

    private static string Statuses(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0
            ? "no chain"
            : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim().Length > 0 ? s.StatusInformation.Trim() : s.Status.ToString()).Distinct());
}
