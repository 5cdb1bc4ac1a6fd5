"""The network policy of code steps and pieces: which addresses user code may not reach.

It is pure (no I/O) and lives in the framework so pieces (`ctx.http`) and the engine's code
runtime apply the same ranges.
"""

import ipaddress
import os
from dataclasses import dataclass
from enum import StrEnum

#: Address ranges blocked in STRICT mode: loopback, private, link-local/metadata, "this network"
#: (IPv6 too: unique-local fc00::/7 is IPv6's private range, fe80::/10 its link-local).
BLOCKED_NETWORKS = (
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "0.0.0.0/8",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
)

#: Host names blocked in STRICT mode whatever they resolve to.
BLOCKED_HOSTS = ("localhost",)


class NetworkMode(StrEnum):
    """STRICT blocks private addresses (the default); UNRESTRICTED lifts the block."""

    STRICT = "STRICT"
    UNRESTRICTED = "UNRESTRICTED"


class NetworkPolicyError(ValueError):
    """PW_NETWORK_MODE or PW_SSRF_ALLOW_LIST has a value that cannot be used."""

    code = "INVALID_NETWORK_POLICY"


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkPolicy:
    """Which networks are denied, after `allow_list` exceptions are cut out of the blocked ranges."""

    mode: NetworkMode = NetworkMode.STRICT
    allow_list: tuple[str, ...] = ()

    @classmethod
    def from_env(cls) -> "NetworkPolicy":
        """Reads PW_NETWORK_MODE and PW_SSRF_ALLOW_LIST (comma-separated IPs and CIDRs).

        Raises:
            NetworkPolicyError: a value is not understood; the message names it.
        """
        raw_mode = os.environ.get("PW_NETWORK_MODE", "STRICT").strip().upper()
        try:
            mode = NetworkMode(raw_mode)
        except ValueError:
            raise NetworkPolicyError(
                f"PW_NETWORK_MODE must be STRICT or UNRESTRICTED, not {raw_mode!r}"
            ) from None
        raw_allow = os.environ.get("PW_SSRF_ALLOW_LIST", "")
        allow = tuple(part.strip() for part in raw_allow.split(",") if part.strip())
        for entry in allow:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise NetworkPolicyError(
                    f"PW_SSRF_ALLOW_LIST entry {entry!r} is not an IP address or CIDR range"
                ) from None
        return cls(mode=mode, allow_list=allow)

    def denied(self) -> list[str]:
        """The networks and host names to deny, in Deno's `--deny-net` syntax."""
        if self.mode is NetworkMode.UNRESTRICTED:
            return []
        allowed = [ipaddress.ip_network(entry, strict=False) for entry in self.allow_list]
        denied: list[str] = []
        for blocked_text in BLOCKED_NETWORKS:
            for network in _subtract(ipaddress.ip_network(blocked_text), allowed):
                if network.version == 6 and network.prefixlen < 128:
                    continue  # Deno's --deny-net takes no IPv6 ranges; ctx.http blocks them
                denied.append(_deno_form(network))
        loopback_opened = any(
            a.overlaps(ipaddress.ip_network("127.0.0.0/8")) for a in allowed if a.version == 4
        )
        denied.extend(host for host in BLOCKED_HOSTS if not loopback_opened)
        return denied

    def blocks_address(self, address: str) -> bool:
        """Whether an IP address may not be reached (IPv4-mapped IPv6 counts as its IPv4).

        Args:
            address: an IPv4 or IPv6 address as text (a resolved host, not a name).
        """
        if self.mode is NetworkMode.UNRESTRICTED:
            return False
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in ipaddress.ip_network(entry, strict=False) for entry in self.allow_list):
            return False
        return ip.is_unspecified or any(
            ip in ipaddress.ip_network(blocked) for blocked in BLOCKED_NETWORKS
        )

    def blocks_host(self, host: str) -> bool:
        """Whether a host name is blocked by name (before resolving it), e.g. `localhost`."""
        if self.mode is NetworkMode.UNRESTRICTED:
            return False
        name = host.lower().rstrip(".")
        by_name = name in BLOCKED_HOSTS or name.endswith(".localhost")
        return by_name and self.blocks_address("127.0.0.1")


def _subtract(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
    allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    parts = [network]
    for hole in allowed:
        next_parts: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for part in parts:
            if part.version != hole.version or not part.overlaps(hole):
                next_parts.append(part)
            elif hole.supernet_of(part):  # type: ignore[arg-type]
                continue
            else:
                next_parts.extend(part.address_exclude(hole))  # type: ignore[arg-type]
        parts = next_parts
    return sorted(parts, key=lambda n: (n.version, n.network_address))


def _deno_form(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    if network.version == 6:
        return f"[{network.network_address}]" if network.prefixlen == 128 else str(network)
    return str(network.network_address) if network.prefixlen == 32 else str(network)
