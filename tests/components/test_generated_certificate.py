"""The certificate the platform issues for OpenSearch when the stack provides none: right subject, names
and key encoding, signed by the CA it ships, and renewed by the provider's diff near expiry."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import ExtendedKeyUsageOID

from components.addons.logging import LoggingConfig, search_host, search_names
from components.generated_certificate import RENEW_BEFORE, GeneratedCertificateProvider, due, issue

DN = "CN=opensearch-cluster-master.seldon-logs.svc,O=ml-platform"


@pytest.fixture(scope="module")
def issued() -> dict:
    config = LoggingConfig.model_validate({"tls": {"secretName": "opensearch-tls", "nodesDn": [DN]}})
    return issue(DN, search_names(config), 1095, client_subject="CN=opensearch-admin,O=modelplane")


def test_subject_is_the_nodes_dn_and_the_names_include_the_service_dashboards_verifies(issued):
    cert = x509.load_pem_x509_certificate(issued["tls_crt"].encode())
    assert cert.subject == x509.Name.from_rfc4514_string(DN)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    config = LoggingConfig.model_validate({"tls": {"secretName": "opensearch-tls", "nodesDn": [DN]}})
    assert search_host(config) in names
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usages) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}


def test_the_key_is_pkcs8_and_the_ca_signed_the_certificate(issued):
    assert issued["tls_key"].startswith("-----BEGIN PRIVATE KEY-----")  # PKCS #8; PKCS #1 says "RSA PRIVATE KEY"
    ca = x509.load_pem_x509_certificate(issued["ca_crt"].encode())
    cert = x509.load_pem_x509_certificate(issued["tls_crt"].encode())
    assert cert.issuer == ca.subject
    ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                           cert.signature_hash_algorithm)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_the_admin_client_certificate_has_its_subject_and_the_same_ca(issued):
    ca = x509.load_pem_x509_certificate(issued["ca_crt"].encode())
    admin = x509.load_pem_x509_certificate(issued["admin_crt"].encode())
    assert admin.subject == x509.Name.from_rfc4514_string("CN=opensearch-admin,O=modelplane")
    assert admin.issuer == ca.subject
    assert list(admin.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH]
    assert issued["admin_key"].startswith("-----BEGIN PRIVATE KEY-----")


def test_the_provider_renews_near_expiry_and_on_a_changed_input_only():
    provider = GeneratedCertificateProvider()
    now = datetime.datetime.now(datetime.UTC)
    inputs = {"subject": DN, "dns_names": ["a"], "validity_days": 1095, "client_subject": None}
    fresh = {**inputs, "not_after": (now + datetime.timedelta(days=400)).isoformat()}
    assert not provider.diff("id", fresh, inputs).changes
    expiring = {**inputs, "not_after": (now + RENEW_BEFORE - datetime.timedelta(days=1)).isoformat()}
    assert provider.diff("id", expiring, inputs).replaces == ["not_after"]
    assert provider.diff("id", fresh, {**inputs, "dns_names": ["a", "b"]}).replaces == ["dns_names"]
    assert due(None) and not due((now + datetime.timedelta(days=31)).isoformat(), now)


def test_a_nodes_dn_that_is_no_distinguished_name_is_refused_naming_it():
    with pytest.raises(ValueError, match="'opensearch' is not an RFC 4514 distinguished name"):
        LoggingConfig.model_validate({"tls": {"secretName": "opensearch-tls", "nodesDn": ["opensearch"]}})
