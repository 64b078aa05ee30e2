"""Server certificates for the simulator's HTTPS endpoints: self-signed (each its own CA), or
issued by a test certification authority (:class:`TestCA`) as a company's CA issues them to its
hosts, so that trusting the CA, pinning one host's certificate and re-keying a host can all be
tried over real TLS."""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _san(common_name: str, extra_names: list[str] | None) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    for name in [common_name, *(extra_names or [])]:
        try:
            ip = x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            if name.isascii() and name and all(part.replace("-", "").isalnum() for part in name.split(".")):
                dns = x509.DNSName(name.lower())
                if dns not in names:
                    names.append(dns)
        else:
            if ip not in names:
                names.append(ip)
    return names


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))


class TestCA:
    """A certification authority for tests and labs (``CN=hvgui Test CA``): its certificate is
    what a company's CA would be in Windows' trust store. Its key lives in memory only."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path, name: str = "hvgui Test CA") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                               x509.NameAttribute(NameOID.ORGANIZATION_NAME, "hvgui simulator")])
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(self.name)
            .issuer_name(self.name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self._key.public_key()), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        self.cert_path = directory / "test-ca.pem"
        self.cert_path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        self._issued = 0

    def issue(self, common_name: str, *, extra_names: list[str] | None = None,
              valid_days: int = 365, expired: bool = False) -> tuple[Path, Path]:
        """A server certificate for ``common_name`` (plus loopback names) and its key:
        ``(chain.pem, key.pem)``, the chain being the certificate then the CA's, as a Windows
        listener sends it. ``expired``: one that ended yesterday."""
        self._issued += 1
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        start = now - datetime.timedelta(days=valid_days + 1) if expired else now - datetime.timedelta(minutes=5)
        end = now - datetime.timedelta(days=1) if expired else now + datetime.timedelta(days=valid_days)
        cn = common_name.strip() or "localhost"
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn[:64])]))
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName(_san(cn, extra_names)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()),
                           critical=False)
            .sign(self._key, hashes.SHA256())
        )
        stem = self.directory / f"{cn.lower()}-{self._issued}"
        chain_path = stem.with_suffix(".chain.pem")
        key_path = stem.with_suffix(".key.pem")
        chain_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM)
                               + self.certificate.public_bytes(serialization.Encoding.PEM))
        _write_key(key, key_path)
        return chain_path, key_path


def generate_self_signed(
    common_name: str, directory: Path, *, extra_names: list[str] | None = None
) -> tuple[Path, Path]:
    """Write ``<directory>/cert.pem`` and ``key.pem`` (key readable by the owner only).

    The certificate is its own CA (basicConstraints CA:TRUE) so that clients can trust it
    through ``ca_trust_path``; SANs: ``localhost``, ``127.0.0.1``, ``::1``, the common name
    when it is a valid DNS name or IP address, and ``extra_names``."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cn = common_name.strip() or "localhost"
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn[:64])])
    names = _san(cn, extra_names)
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key, key_path)
    return cert_path, key_path


def fingerprint(cert_pem_path: Path) -> str:
    """SHA-256 of the (first) DER certificate in the file, ``AB:CD:...`` upper-case."""
    cert = x509.load_pem_x509_certificate(cert_pem_path.read_bytes())
    digest = cert.fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)
