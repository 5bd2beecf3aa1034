"""PyInstaller runtime hook (macOS): let Python's ssl find the system CA certificates.

The OpenSSL inside a python.org or Homebrew Python looks for certificates in
its own prefix, which does not exist on the user's Mac, so live prices over
HTTPS would fail verification. macOS keeps a PEM bundle of its trusted roots
at /etc/ssl/cert.pem; point OpenSSL at it unless the user chose otherwise.
"""

import os

_SYSTEM_BUNDLE = "/etc/ssl/cert.pem"

if (
    "SSL_CERT_FILE" not in os.environ
    and "SSL_CERT_DIR" not in os.environ
    and os.path.isfile(_SYSTEM_BUNDLE)
):
    os.environ["SSL_CERT_FILE"] = _SYSTEM_BUNDLE
