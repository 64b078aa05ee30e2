"""Self-signed server certificates for the simulator's HTTPS endpoints."""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


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
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    for name in [cn, *(extra_names or [])]:
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
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert_path, key_path


def fingerprint(cert_pem_path: Path) -> str:
    """SHA-256 of the DER certificate, ``AB:CD:...`` upper-case, as Windows shows thumbprints."""
    cert = x509.load_pem_x509_certificate(cert_pem_path.read_bytes())
    digest = cert.fingerprint(hashes.SHA256())
    return ":".join(f"{b:02X}" for b in digest)
