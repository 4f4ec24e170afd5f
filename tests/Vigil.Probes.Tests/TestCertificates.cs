using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Probes.Tests;

/// <summary>Throwaway self-signed certificates for localhost / 127.0.0.1, with a chosen expiry.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Create(DateTimeOffset notBefore, DateTimeOffset notAfter, string name = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>Writes the certificate (public part) as PEM, for a probe's ca_file.</summary>
    public static string WritePem(X509Certificate2 certificate, string path)
    {
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}
