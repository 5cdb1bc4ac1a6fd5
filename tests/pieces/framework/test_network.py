"""The network policy: blocked ranges, allow-list exceptions, and settings errors."""

import pytest

from pieces.framework.network import NetworkMode, NetworkPolicy, NetworkPolicyError


def test_strict_mode_blocks_private_ranges_and_localhost() -> None:
    denied = NetworkPolicy().denied()
    for entry in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "[::1]",
        "localhost",
    ):
        assert entry in denied


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("fd12:3456::1", True),
        ("fe80::1%eth0", True),
        ("::ffff:10.0.0.1", True),
        ("2606:4700::1", False),
    ],
)
def test_ipv6_private_and_link_local_addresses_are_blocked(address: str, blocked: bool) -> None:
    assert NetworkPolicy().blocks_address(address) is blocked


def test_allow_list_cuts_a_hole_in_a_blocked_range() -> None:
    denied = NetworkPolicy(allow_list=("192.168.1.10",)).denied()
    assert "192.168.0.0/16" not in denied
    assert "192.168.1.10" not in denied
    assert "192.168.1.11" in denied
    assert "192.168.0.0/24" in denied
    assert "10.0.0.0/8" in denied


def test_unrestricted_mode_denies_nothing() -> None:
    assert NetworkPolicy(mode=NetworkMode.UNRESTRICTED).denied() == []


def test_from_env_reads_mode_and_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PW_NETWORK_MODE", "unrestricted")
    monkeypatch.setenv("PW_SSRF_ALLOW_LIST", "10.1.2.3, 192.168.0.0/24")
    policy = NetworkPolicy.from_env()
    assert policy.mode is NetworkMode.UNRESTRICTED
    assert policy.allow_list == ("10.1.2.3", "192.168.0.0/24")


@pytest.mark.parametrize(
    ("name", "value"), [("PW_NETWORK_MODE", "OPEN"), ("PW_SSRF_ALLOW_LIST", "my-nas")]
)
def test_bad_settings_are_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(NetworkPolicyError, match=name):
        NetworkPolicy.from_env()
