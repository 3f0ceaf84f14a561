"""Reading a body: small ones here, large ones in a bounded process of their own.

Every parse is bounded in structure (depth, elements, values: ``adapters.decode``).
A body of ``BOUNDED_BYTES`` or more is also parsed in a fresh process under a CPU and
address-space budget (``PARSE_BUDGET``), at most ``PARSE_SLOTS`` at a time per probing
process, so one feed costs at most its budget, and a body over it is recorded as
``too_complex`` (completeness VOL-10, "te groot of te complex om te beoordelen")
instead of taking the run's memory or time.

Why a threshold, not every body: starting that process (a fresh interpreter importing
the adapters) costs a fraction of a second of CPU, more than parsing a typical feed of
a few kilobytes, and a 1,000-fiche night would spend minutes on it (bench/RESULTS.md).
Below 1 MiB a body is linear to parse (C parsers; the CSV sniffer sees 2 KB) and its
objects take some tens of MB at worst, so the probing process stays bounded too.
"""

from __future__ import annotations

import contextlib
from typing import IO, TYPE_CHECKING, Any

from datapedia.model.fiche import Distribution
from datapedia.probe.adapters import Adapter, ParseContext, ParseError, TooComplex
from datapedia.util.parallel.bounded import BoundedRunner, WorkerDied
from datapedia.util.parallel.budget import Budget, OverBudget

if TYPE_CHECKING:  # the bounded process imports this module: no network libraries there
    from datapedia.probe.transport import Body

BOUNDED_BYTES = 1024 * 1024
PARSE_BUDGET = Budget(cpu_s=30, memory_bytes=512 * 1024 * 1024)
# One bounded parse at a time per probing process: with one probing process per core,
# the parses of a run take at most cores x the memory budget together.
PARSE_SLOTS = 1


def new_runner() -> BoundedRunner:
    return BoundedRunner(PARSE_BUDGET, PARSE_SLOTS)


def parse_body(
    adapter: Adapter,
    body: Body,
    distribution: Distribution,
    ctx: ParseContext,
    runner: BoundedRunner,
) -> dict[str, Any]:
    """The content fields of one downloaded body, which is closed after; never raising.

    A body the transport spooled to disk goes to the bounded process as its file, so
    the probing process never holds it whole; one in memory is read once and released.
    """
    spooled = body.spooled_file() if body.size >= BOUNDED_BYTES else None
    if spooled is not None:
        with contextlib.closing(body):
            return parse_fields(adapter, spooled, distribution, ctx, runner)
    data = body.read()
    body.close()
    return parse_fields(adapter, data, distribution, ctx, runner)


def parse_fields(
    adapter: Adapter,
    body: bytes | IO[bytes],
    distribution: Distribution,
    ctx: ParseContext,
    runner: BoundedRunner,
) -> dict[str, Any]:
    """The content fields of ``EndpointObservation`` for one body, never raising."""
    try:
        if isinstance(body, bytes) and len(body) < BOUNDED_BYTES:
            return adapter.parse(body, distribution, ctx).fields()
        return runner.run(_parse_in_worker, body, adapter, distribution, ctx)
    except TooComplex as error:
        return {"parsed": False, "parse_error": str(error), "too_complex": str(error)}
    except ParseError as error:
        return {"parsed": False, "parse_error": str(error)}
    except OverBudget as error:
        reason = f"te groot of te complex om te lezen: {error}"
        return {"parsed": False, "parse_error": reason, "too_complex": str(error)}
    except WorkerDied as error:
        return {"parsed": False, "parse_error": f"het leesproces stopte: {error}"}
    except Exception as error:  # a parser bug must not stop the run
        detail = f"onverwachte fout bij het lezen: {type(error).__name__}: {error}"
        return {"parsed": False, "parse_error": detail}


def _parse_in_worker(
    body: bytes, adapter: Adapter, distribution: Distribution, ctx: ParseContext
) -> dict[str, Any]:
    return adapter.parse(body, distribution, ctx).fields()
