"""A self-signed TLS certificate for serving the shop over HTTPS on this machine."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management.base import BaseCommand


def make_certificate(folder: Path, days: int = 825) -> tuple[Path, Path]:
    """Write cert.pem and key.pem for localhost / 127.0.0.1 / ::1; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class Command(BaseCommand):
    help = "Create a self-signed certificate for https://localhost (certs/cert.pem, key.pem)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / "certs"))
        parser.add_argument("--days", type=int, default=825)

    def handle(self, *args, **options) -> None:
        cert, key = make_certificate(Path(options["dir"]), options["days"])
        self.stdout.write(f"Certificate: {cert}\nPrivate key: {key}")
        self.stdout.write("Browsers will warn once: the certificate is signed by itself.")
