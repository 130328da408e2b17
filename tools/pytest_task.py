"""pytest plugin: ``--task 1.3`` runs only the tests whose ``task`` marker names task 1.3.

Load it with ``-p pytest_task`` (its directory on ``PYTHONPATH``). ``-m`` cannot select on a
marker's argument, hence this option. Repeat ``--task`` to select several tasks. Tests without a
task marker are deselected whenever ``--task`` is given.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("course").addoption(
        "--task", action="append", default=[], metavar="ID",
        help="run only tests marked @pytest.mark.task(ID) (repeatable)",
    )


def task_of(item: pytest.Item) -> str | None:
    """The task id of the closest ``task`` marker of ``item``, or None."""
    marker = item.get_closest_marker("task")
    if marker is None or not marker.args:
        return None
    return str(marker.args[0])


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = set(config.getoption("task"))
    if not wanted:
        return
    keep = [item for item in items if task_of(item) in wanted]
    drop = [item for item in items if task_of(item) not in wanted]
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep
