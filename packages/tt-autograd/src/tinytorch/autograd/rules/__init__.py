"""Backward rules, one short function per op, in files named like part 1's.

=================  ==========================================  ===============================
file               rules                                        forwards in ``tinytorch.tensor``
=================  ==========================================  ===============================
``registry``       ``RULES``, ``@rule``: how a rule is called
``elementwise``    add, mul, exp, ..., where, softmax            ``elementwise.py``
``reductions``     sum, amax, max(dim), prod, cumsum             ``reductions.py``
``linalg``         matmul                                        ``linalg.py``
``shape``          reshape, permute, expand, cat, pad, to, ...   ``shape.py``, ``tensor.py``
``indexing``       getitem, setitem, gather                      ``indexing.py``
``windows``        unfold                                        ``windows.py``
=================  ==========================================  ===============================
"""

from . import elementwise, indexing, linalg, reductions, shape, windows
from .registry import RULES, Rule, rule

__all__ = ["RULES", "Rule", "rule", "elementwise", "reductions", "linalg", "shape", "indexing",
           "windows"]
