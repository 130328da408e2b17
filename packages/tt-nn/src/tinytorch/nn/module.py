"""``Module``: the base class of every layer and model, and how ``self.fc = Linear(...)`` registers.

A Module keeps three ordered tables, filled by plain attribute assignment:

==================  ===========================================  ===============================
table               what goes there                              found by
==================  ===========================================  ===============================
``_parameters``     ``self.w = Parameter(...)``                  ``parameters()``, ``state_dict``
``_buffers``        ``self.register_buffer("mean", tensor)``     ``buffers()``, ``state_dict``
``_modules``        ``self.fc = Linear(...)``                    ``children()``, ``modules()``
==================  ===========================================  ===============================

Registration is ``__setattr__`` routing a value into its table and ``__getattr__`` reading it
back; both are below. Everything built on the tables lives in three more files, mixed in here:

=======================  ========================================================================
``module_traversal.py``  walking the tree: ``named_modules``, ``parameters``, ``train``, ``to``
``module_state.py``      ``state_dict`` and ``load_state_dict``
``module_hooks.py``      calling: forward pre-hooks, ``forward``, forward hooks
=======================  ========================================================================
"""

from __future__ import annotations

from typing import Any

from tinytorch.tensor import Tensor

from .module_hooks import ModuleHooks
from .module_state import IncompatibleKeys, ModuleState
from .module_traversal import ModuleTraversal
from .parameter import Parameter

__all__ = ["Module", "IncompatibleKeys"]

TABLES = ("_parameters", "_buffers", "_modules")


class Module(ModuleTraversal, ModuleState, ModuleHooks):
    """Base class for all neural network modules; subclasses define ``forward``.

    Example::

        class MLP(Module):
            def __init__(self):
                super().__init__()
                self.fc1 = Linear(784, 128)   # registered as a submodule
                self.fc2 = Linear(128, 10)

            def forward(self, x):
                return self.fc2(self.fc1(x).relu())
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs the tables to exist already.
        object.__setattr__(self, "training", True)
        for table in TABLES:
            object.__setattr__(self, table, {})
        object.__setattr__(self, "_non_persistent_buffers", set())
        self._init_hooks()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function')

    # -- registration -----------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        """``self.name = value``: a Parameter or a Module goes into its table, and so does a new
        value for a name a table already holds (``self.bias = None``, a buffer's new Tensor);
        anything else is a plain attribute.

        Use ``self._register(table, name, value)``: it checks the value's type for that table
        and takes ``name`` out of the other tables. ``self._table_holding(name)`` says which
        table holds ``name`` (None: none of them).

        Raises (from ``_register``): TypeError for a wrong type in a table (a Tensor assigned to
        a parameter); AttributeError before ``Module.__init__`` ran.
        """
        # BEGIN SOLUTION 3.1 route Parameters, Modules and buffers into their tables
        if isinstance(value, Parameter):
            self._register("_parameters", name, value)
        elif isinstance(value, Module):
            self._register("_modules", name, value)
        elif (table := self._table_holding(name)) is not None:
            self._register(table, name, value)
        else:
            object.__setattr__(self, name, value)
        # END SOLUTION

    def __getattr__(self, name: str) -> Any:
        """Called only when normal lookup fails: parameters, buffers and children are found in
        their tables. Raises AttributeError (naming the class and ``name``) when no table has it.
        """
        # BEGIN SOLUTION 3.1 look a name up in the tables
        table = self._table_holding(name)
        if table is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        return self.__dict__[table][name]
        # END SOLUTION

    def _table_holding(self, name: str) -> str | None:
        """The table (``"_parameters"``, ``"_buffers"`` or ``"_modules"``) holding ``name``."""
        return next((t for t in TABLES if name in self.__dict__.get(t, ())), None)

    def _register(self, table: str, name: str, value: Any) -> None:
        """Put ``value`` under ``name`` in ``table`` (keeping its place if it is there already)
        and out of the other tables and the plain attributes."""
        kind, expected = {"_parameters": ("parameter", Parameter), "_buffers": ("buffer", Tensor),
                          "_modules": ("module", Module)}[table]
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got: "{name}"')
        if value is not None and not isinstance(value, expected):
            raise TypeError(f"cannot assign '{type(value).__name__}' as {kind} '{name}' "
                            f"({expected.__name__} or None expected)")
        self.__dict__.pop(name, None)
        for other in TABLES:
            if other != table:
                self.__dict__[other].pop(name, None)
        if table != "_buffers":
            self._non_persistent_buffers.discard(name)
        self.__dict__[table][name] = value

    def __delattr__(self, name: str) -> None:
        table = self._table_holding(name)
        if table is None:
            object.__delattr__(self, name)
            return
        del self.__dict__[table][name]
        self._non_persistent_buffers.discard(name)

    def __dir__(self) -> list[str]:
        keys = set(super().__dir__()).union(*(self.__dict__[t] for t in TABLES))
        return sorted(key for key in keys if not key[0].isdigit())

    def _check_new(self, name: str, table: str) -> None:
        if isinstance(name, str) and hasattr(self, name) and self._table_holding(name) != table:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None: declared but absent, such as ``Linear(bias=False)``)."""
        self._check_new(name, "_parameters")
        self._register("_parameters", name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not learned (e.g. running statistics).

        Persistent buffers are part of ``state_dict``; non-persistent ones are not.
        """
        self._check_new(name, "_buffers")
        self._register("_buffers", name, tensor)
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module (what ``self.name = module`` does)."""
        self._check_new(name, "_modules")
        self._register("_modules", name, module)

    register_module = add_module

    # -- printing ---------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The text between the parentheses of this module's repr; override it in layers."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _indent(repr(module), 2)
                       for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def _indent(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first (for nested module reprs)."""
    return text.replace("\n", "\n" + " " * spaces)
