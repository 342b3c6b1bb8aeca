"""The scenario format of negotiation v2 (issue 10): reservation points, priorities, pressure
threats and mediator proposals are read as written and bad ones are refused with the file,
line, key and what was expected (exit code 2 from the CLI)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from simulate.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
PLAN = REPO / "scenarios" / "aug2025_mediator_plan.yaml"


def test_base_scenario_keeps_demands_and_reservation_points_apart():
    s = load_scenario(REPO / "scenarios" / "aug2025.yaml")
    ru, ua = s.actors["RU"], s.actors["UA"]
    assert ru.demands == {"Donetsk": 1.0, "Luhansk": 1.0, "Zaporizhzhia": 1.0, "Kherson": 1.0}
    assert ru.reservation["Donetsk"] < ru.demands["Donetsk"]
    assert set(ua.reservation.values()) == {"line"}
    assert ru.priorities["Donetsk"] > ru.priorities["Kherson"]
    for key in ("actors.RU.reservation.Donetsk", "actors.RU.threatened_revenue_loss",
                "actors.UA.past_line_rate", "negotiation.acceptance_noise"):
        assert key in s.uncertainty
    for key in ("actors.RU.reservation", "actors.RU.threatened_revenue_loss",
                "actors.UA.past_line_rate", "negotiation.acceptance_noise"):
        assert key in s.cite


def test_mediator_plan_variant_reads_its_proposal_and_pressure():
    s = load_scenario(PLAN)
    (proposal,) = s.timeline
    assert proposal.date == s.start + dt.timedelta(days=92)
    assert proposal.sanctions_relief == {"RU": 0.01} and proposal.security == {"UA": 0.01}
    pressure = s.actors["US"].pressure
    assert (pressure.target, pressure.lag_days) == ("UA", 14)
    assert pressure.deadline == proposal.date + dt.timedelta(days=proposal.open_days)
    assert "actors.US.pressure.credibility" in s.uncertainty


def test_bad_negotiation_keys_are_refused_with_file_line_and_key(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"extends: {PLAN}\n"
        "name: bad\n"
        "actors:\n"
        "  RU:\n"
        "    reservation: {Donbas: 1.0}\n"
        "  US:\n"
        "    pressure: {target: CN, deadline: 2025-12-06}\n"
        "timeline:\n"
        "  - {date: 2025-11-06, actor: US, action: proposal, sanctions_relief: {EU: 0.1}}\n",
        encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "simulate", "validate", str(bad)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    lines = run.stdout.splitlines() + run.stderr.splitlines()
    text = "\n".join(lines)
    assert f"{bad}:5:19: actors.RU.reservation.Donbas: expected a region named in 'regions'" \
        in text and "did you mean 'Donetsk'?" in text
    assert f"{bad}:7:24: actors.US.pressure.target: expected the id of a belligerent actor, " \
           "found 'CN', an importer (belligerents: RU, UA)" in text
    assert f"{bad}:9:5: timeline[0].terms: required key missing" in text
    assert "timeline[0].sanctions_relief.EU: expected the id of a belligerent actor" in text
    assert "Traceback" not in text
