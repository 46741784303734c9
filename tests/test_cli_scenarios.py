"""supplygraph scenarios: the list, and one scenario in full."""

from __future__ import annotations

from cli_helpers import invoke


def test_scenarios_lists_and_shows():
    listing = invoke("scenarios")
    assert listing.exit_code == 0
    for name in (
        "2025-04-heavy-licences",
        "2025-10-package",
        "2025-11-truce",
        "2026-11-lapse",
        "us-only",
        "myanmar-closure",
        "full-embargo",
        "CN-2025-18",
        "CN-HYPO-ALL",
    ):
        assert name in listing.stdout
    one = invoke("scenarios", "2025-11-truce")
    assert one.exit_code == 0 and "suspended" in one.stdout and "No. 70" in one.stdout


def test_scenarios_shows_spare_capacity_assumptions(tmp_path):
    path = tmp_path / "what-if.toml"
    path.write_text('title = "What if"\n[[capacity]]\nselect = "node:country=AU"\nspare = 0.2\n')
    result = invoke("scenarios", str(path))
    assert result.exit_code == 0, result.output
    assert "spare capacity: node:country=AU +20% of baseline" in result.output


def test_a_dated_rule_is_listed_with_its_days(tmp_path):
    path = tmp_path / "outage.toml"
    path.write_text(
        '[[rules]]\nselect = "node:id=cn-cnre-baotou-sep"\nfrom = 2025-06-01\n'
        "until = 2025-07-31\nrecovery_days = 30\n",
        encoding="utf-8",
    )
    result = invoke("scenarios", str(path))
    assert result.exit_code == 0, result.output
    assert (
        "rule: node:id=cn-cnre-baotou-sep cut from 2025-06-01 until 2025-07-31, "
        "back in full 30 days later" in " ".join(result.output.split())
    )
