"""Calibrate the episode scenarios to their observed targets (the full calibration of issue 14).

    python benchmarks/calibrate_episodes.py                      # 200 particles, 8 generations
    python benchmarks/calibrate_episodes.py --particles 40 --generations 3   # a quick look
    python benchmarks/calibrate_episodes.py --episode embargo2022 --out cal/
    python benchmarks/calibrate_episodes.py --particles 60 --generations 5 --predictive 60
        # the run recorded in docs/calibration.md (about 20 min per episode on a busy 2-core box)

Pairs each scenario of ``scenarios/episodes/`` with the targets file of the same name in
``scenarios/targets/`` and runs ``simulate.calibrate`` on it (``--workers`` processes, 1 by
default; the particles are the same for any number), writing ``OUT/<episode>/``. Prints, per
episode: wall time, simulations and simulations per second, the tolerance and acceptance rate
of each generation, each parameter's prior and posterior (mean, sd, sd ratio), the
identifiability warnings, and the posterior predictive coverage (share of targets inside the
model's 90% band; nominal 0.9), with the targets outside their band and by how many sd.
Then runs the August 2025 scenario on the last posterior whose keys it has
(``uncertainty: {from_posterior: ...}``) and prints the headline summary.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import simulate
from simulate.calibration import calibrate

REPO = Path(__file__).resolve().parent.parent


def pairs(only: list[str] | None) -> list[tuple[str, Path, Path]]:
    """(episode, scenario, targets) for every episode scenario with a targets file."""
    out = []
    for scenario in sorted((REPO / "scenarios" / "episodes").glob("*.yaml")):
        targets = REPO / "scenarios" / "targets" / scenario.name
        if targets.is_file() and (not only or scenario.stem in only):
            out.append((scenario.stem, scenario, targets))
    return out


def shared_keys(path: Path) -> Path | None:
    """The posterior's marginal over the keys that aug2025 also has (dropping columns of a
    joint sample gives the joint sample of the rest), written beside it; None if none."""
    from simulate.scenario import read_merged
    from simulate.scenario.checks import resolve_path
    from simulate.scenario.posterior import read_posterior, write_posterior

    post = read_posterior(path)
    data, _ = read_merged(REPO / "scenarios" / "aug2025.yaml")
    keep = [j for j, k in enumerate(post.keys) if resolve_path(data, k)[1] is None]
    if not keep:
        return None
    out = path.with_name("posterior_aug2025.parquet")
    write_posterior(out, [post.keys[j] for j in keep], post.values[:, keep], post.weights,
                    {**post.metadata, "marginal_of": str(path)})
    print(f"\naug2025 draws {', '.join(post.keys[j] for j in keep)} from {out}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--particles", type=int, default=200)
    parser.add_argument("--generations", type=int, default=8)
    parser.add_argument("--predictive", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--episode", action="append", help="only this episode (repeatable)")
    parser.add_argument("--out", type=Path, default=Path("calibration-runs"))
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    last = None
    for name, scenario, targets in pairs(args.episode):
        print(f"\n== {name}: {scenario.relative_to(REPO)} to {targets.relative_to(REPO)}")
        t0 = time.perf_counter()
        cal = calibrate(scenario, targets, args.out / name, particles=args.particles,
                        generations=args.generations, seed=args.seed,
                        predictive=args.predictive, resume=args.resume, force=not args.resume,
                        workers=args.workers,
                        progress=lambda g: print(
                            f"  generation {g['generation']}: epsilon {g['epsilon']:.4g}, "
                            f"{g['simulations']} simulations, acceptance "
                            f"{g['acceptance_rate']:.3f}", flush=True))
        wall = time.perf_counter() - t0
        sims = int(cal.generations["simulations"].sum())
        print(f"  {wall:.0f} s wall, {sims} simulations in the generations "
              f"({sims / wall:.2f} per second, calibration sample and checks included in wall)")
        for p in cal.state["parameters"]:
            print(f"  {p['parameter']}: prior {p['prior_mean']:.4g} +- {p['prior_sd']:.3g}, "
                  f"posterior {p['posterior_mean']:.4g} +- {p['posterior_sd']:.3g} "
                  f"(sd ratio {p['sd_ratio']:.2f})")
        for w in cal.state["warnings"]:
            print(f"  warning: {w}")
        for s in cal.state["skipped"]:
            print(f"  not used: {s['target']}: {s['reason']}")
        pred = cal.state.get("predictive")
        if pred:
            print(f"  predictive coverage: {pred['coverage']:.2f} of {len(pred['targets'])} "
                  f"targets (fitted only: {pred['coverage_fit']:.2f}); nominal 0.90")
            for t in pred["targets"]:
                if not t["inside"]:
                    print(f"  outside: {t['target']} ({t['use']}): observed {t['observed']:.4g}, "
                          f"band {t['q05']:.4g}..{t['q95']:.4g}, median off by "
                          f"{(t['observed'] - t['q50']) / t['sd']:+.1f} sd")
        last = cal
    if last is None:
        print("no episode scenario with a targets file found")
        return
    posterior = shared_keys(last.directory / "posterior.parquet")
    if posterior is None:
        print("\naug2025 has none of the calibrated keys")
        return
    s = simulate.load_scenario(REPO / "scenarios" / "aug2025.yaml",
                               overrides={"uncertainty.from_posterior": str(posterior)})
    res = simulate.run(s, replicates=500, seed=1, progress=False)
    print(f"\n== aug2025 on the posterior of {last.directory.name}")
    print(res.summary().to_string())


if __name__ == "__main__":
    main()
