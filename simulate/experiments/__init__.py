"""Experiments over a scenario: designs of levers and uncertainties, sweeps on common random
numbers, global sensitivity, scenario discovery, robust policies, runs to a target precision
and paired comparisons of scenario files (docs/experiments.md).

This package sits at the execution layer: it runs scenarios through
:mod:`simulate.execution` and reads :mod:`simulate.results`; figures import it lazily.
"""

from .design import Design, Factor, make_design
from .discovery import cart_box, discover, prim_box
from .experiment import Experiment
from .paired import compare, compare_scenarios, pairing_gain
from .precision import run_to_target_se
from .robust import robust
from .sensitivity import Sensitivity, sensitivity
from .sweep import sweep

__all__ = ["sweep", "Experiment", "Design", "Factor", "make_design", "sensitivity",
           "Sensitivity", "discover", "prim_box", "cart_box", "robust", "run_to_target_se",
           "compare", "compare_scenarios", "pairing_gain"]
