"""copkit's pytest plugin, installed with copkit (entry point ``pytest11``): test a plugin with
no configuration of your own.

- ``db_url``: a fresh database for the test, migrated and empty — a SQLite file in ``tmp_path``,
  or a PostgreSQL database when ``COPKIT_TEST_POSTGRES_URL`` names one. The migrations run once
  per session into a template that each test copies (see :class:`copkit.testing.DatabaseTemplate`).
- ``harness``: a :class:`copkit.testing.Harness` open on ``db_url``. Override the
  ``harness_options`` fixture (keyword arguments of ``Harness``) to add your plugin::

      @pytest.fixture
      def harness_options():
          return {"extra": [my_kudos]}

- An ``async def`` test that uses ``harness`` or ``db_url`` runs on asyncio (pytest-asyncio), in
  its default strict mode too, without an ``asyncio`` mark.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported by the fixtures, so that pytest runs that use none start fast
    from .testing import Harness
    from .testing_databases import DatabaseTemplate

try:
    import pytest_asyncio

    HAVE_ASYNCIO = True
except ImportError:  # pragma: no cover - pytest-asyncio comes with copkit[testing]
    HAVE_ASYNCIO = False

POSTGRES_ENV = "COPKIT_TEST_POSTGRES_URL"
ASYNC_FIXTURES = frozenset({"db_url", "harness"})


@pytest.fixture(scope="session")
def copkit_database_template() -> Iterator[DatabaseTemplate]:
    """The migrated template that each test's ``db_url`` is a copy of."""
    from .testing_databases import DatabaseTemplate

    template = DatabaseTemplate(postgres_url=os.environ.get(POSTGRES_ENV) or None)
    yield template
    template.close()


@pytest.fixture
def harness_options() -> dict[str, Any]:
    """Keyword arguments for the ``harness`` fixture's :class:`Harness` (override it)."""
    return {}


if HAVE_ASYNCIO:

    @pytest_asyncio.fixture
    async def db_url(copkit_database_template: DatabaseTemplate, tmp_path: Path) -> str:
        """A fresh, migrated and empty database for this test."""
        return await copkit_database_template.fresh(tmp_path)

    @pytest_asyncio.fixture
    async def harness(db_url: str, harness_options: dict[str, Any]) -> AsyncIterator[Harness]:
        """A :class:`Harness` open on a fresh database (``harness_options`` configure it)."""
        from .testing import Harness

        async with Harness(db_url, **harness_options) as h:
            yield h

else:  # pragma: no cover

    @pytest.fixture
    def db_url() -> str:
        pytest.fail("copkit's db_url fixture needs pytest-asyncio: pip install pytest-asyncio")

    @pytest.fixture
    def harness() -> Harness:
        pytest.fail("copkit's harness fixture needs pytest-asyncio: pip install pytest-asyncio")


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_pycollect_makeitem(collector: Any, name: str, obj: object) -> Any:
    """Mark ``async def`` tests that use copkit's fixtures ``asyncio``, before pytest-asyncio
    (whose wrapper is outside this one) decides whether it runs them."""
    result = yield
    if not HAVE_ASYNCIO or not inspect.iscoroutinefunction(obj):
        return result
    for item in result if isinstance(result, list) else [result]:
        if (
            isinstance(item, pytest.Function)
            and ASYNC_FIXTURES & set(item.fixturenames)
            and item.get_closest_marker("asyncio") is None
        ):
            item.add_marker(pytest.mark.asyncio)
    return result
