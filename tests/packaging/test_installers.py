"""Installer recipes that cannot run here (CI workflow, macOS, Windows) are well-formed."""

import plistlib
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _workflow() -> dict[Any, Any]:
    text = (ROOT / ".github" / "workflows" / "installers.yml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def test_the_workflow_builds_on_the_three_systems() -> None:
    workflow = _workflow()
    # YAML 1.1 reads the key `on` as True.
    assert "workflow_dispatch" in (workflow.get("on") or workflow[True])
    job = workflow["jobs"]["installer"]
    systems = [entry["os"] for entry in job["strategy"]["matrix"]["include"]]
    assert [s.split("-")[0] for s in systems] == ["ubuntu", "macos", "windows"]
    for step in job["steps"]:
        assert "uses" in step or "run" in step, step


def test_the_workflow_runs_scripts_that_exist() -> None:
    runs = "\n".join(step.get("run", "") for step in _workflow()["jobs"]["installer"]["steps"])
    scripts = set(re.findall(r"(installers/[\w./-]+\.(?:sh|py|ps1)|scripts/[\w.-]+\.sh)", runs))
    assert "installers/linux/package_test.py" in scripts
    assert "installers/macos/build-dmg.sh" in scripts
    assert "installers/windows/build.ps1" in scripts
    for script in scripts:
        assert (ROOT / script).is_file(), script


def test_macos_entitlements_give_deno_jit_and_nothing_broad() -> None:
    deno = plistlib.loads((ROOT / "installers/macos/deno-entitlements.plist").read_bytes())
    app = plistlib.loads((ROOT / "installers/macos/entitlements.plist").read_bytes())
    assert deno["com.apple.security.cs.allow-jit"] is True
    assert "com.apple.security.cs.disable-library-validation" not in app
    sign = (ROOT / "installers/macos/sign.sh").read_text(encoding="utf-8")
    assert "deno-entitlements.plist" in sign
    assert "--options runtime" in sign
    assert "pginstall" in sign


def test_the_inno_setup_script_installs_the_bundle_and_keeps_user_data() -> None:
    iss = (ROOT / "installers/windows/piecework.iss").read_text(encoding="utf-8")
    assert r'Source: "..\..\dist\piecework\*"' in iss
    assert "recursesubdirs" in iss
    assert "PrivilegesRequired=lowest" in iss
    assert "[UninstallDelete]" not in iss  # user data in %LOCALAPPDATA% stays


def test_the_deb_recipe_has_its_pieces() -> None:
    control = (ROOT / "installers/linux/control.in").read_text(encoding="utf-8")
    for field in ("Package: piecework", "Version: @VERSION@", "Architecture: @ARCH@", "Depends:"):
        assert field in control
    desktop = (ROOT / "installers/linux/piecework.desktop").read_text(encoding="utf-8")
    assert "Exec=piecework" in desktop
    assert "Icon=piecework" in desktop
    wrapper = (ROOT / "installers/linux/piecework.sh").read_text(encoding="utf-8")
    assert "exec /opt/piecework/piecework" in wrapper
