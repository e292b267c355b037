"""The GitHub workflows and issue templates, validated offline against GitHub's schemas.

check-jsonschema ships the schemas (``--builtin-schema vendor.*``), so no network is needed.
Beyond the schema, the publishing workflow must run the README's own commands and use the
Pages actions with the permissions they need.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"
CHECK = Path(sys.executable).with_name("check-jsonschema")

SCHEMAS = {
    "workflows/publish.yml": "vendor.github-workflows",
    "workflows/tests.yml": "vendor.github-workflows",
    "ISSUE_TEMPLATE/erratum.yml": "vendor.github-issue-forms",
    "ISSUE_TEMPLATE/config.yml": "vendor.github-issue-config",
}


def validate(path: Path, schema: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK), "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_valid_against_github_schema(name):
    result = validate(GITHUB / name, SCHEMAS[name])
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_can_fail(tmp_path):
    """A workflow job without runs-on, and an issue form field without a type, are rejected."""
    wf = yaml.safe_load((GITHUB / "workflows/publish.yml").read_text())
    del wf["jobs"]["build"]["runs-on"]
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(wf))
    assert validate(bad, "vendor.github-workflows").returncode != 0
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE/erratum.yml").read_text())
    del form["body"][1]["type"]
    bad.write_text(yaml.safe_dump(form))
    assert validate(bad, "vendor.github-issue-forms").returncode != 0


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def test_publish_builds_with_the_readme_command_and_deploys_pages():
    wf = yaml.safe_load((GITHUB / "workflows/publish.yml").read_text())
    on = wf[True] if True in wf else wf["on"]  # PyYAML reads the key `on` as True
    assert on["push"]["branches"] == ["main"]
    assert wf["permissions"]["pages"] == "write" and wf["permissions"]["id-token"] == "write"
    build = steps(wf, "build")
    assert any(s.get("run") == "make book" for s in build)
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme
    upload = [s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    deploy = steps(wf, "deploy")
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy)
    assert wf["jobs"]["deploy"]["needs"] == "build"


def test_pull_requests_run_the_readme_test_command():
    wf = yaml.safe_load((GITHUB / "workflows/tests.yml").read_text())
    on = wf[True] if True in wf else wf["on"]
    assert "pull_request" in on
    assert any(s.get("run") == "make test" for s in steps(wf, "test"))
    assert "make test" in (ROOT / ".ci/run").read_text()


def test_erratum_form_asks_for_page_cell_and_what_is_wrong():
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE/erratum.yml").read_text())
    required = {f["id"] for f in form["body"]
                if f.get("validations", {}).get("required")}
    assert {"page", "cell", "wrong"} <= required
