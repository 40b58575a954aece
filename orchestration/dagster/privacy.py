"""`campus_erasure`: an erasure on request (`orchestration.privacy`) as a Dagster job, from run config.

Run config: `ops: {erase_student: {config: {request_id, student, apply, requested_by}}}`. Dagster keeps run
config in its run storage, so give `student` as the student key or SIS id, not the e-mail. A dry run by
default; the run fails (and nothing is changed) for an identifier that matches nobody or several people, a
held warehouse, or an erasure whose verification finds the person still somewhere.
"""

# No `from __future__ import annotations`: Dagster inspects the real annotations of op functions.

from typing import Any

from dagster import Config, Failure, OpExecutionContext, job, op

from orchestration.privacy import ErasureError, erase


class ErasureConfig(Config):
    request_id: str
    student: str
    apply: bool = False
    requested_by: str = "dagster"


@op
def erase_student(context: OpExecutionContext, config: ErasureConfig) -> dict[str, Any]:
    """One request; logs counts per table, never a personal value."""
    try:
        result = erase(config.student, config.request_id, config.requested_by, apply=config.apply)
    except ErasureError as refused:
        raise Failure(
            description=f"erasure request {config.request_id}: {refused.outcome}: {refused}",
            metadata={"request_id": config.request_id, "outcome": refused.outcome},
        ) from None
    context.log.info(f"erasure request {config.request_id}: {result.total} rows or files, {result.counts}")
    if config.apply and result.verification != "passed":
        raise Failure(
            description=f"erasure request {config.request_id}: still found in {sorted(result.remaining)}",
            metadata={"request_id": config.request_id, "outcome": "incomplete"},
        )
    return {"rows": result.total, "verification": result.verification}


@job(
    description="Erase one student on request (run config: request_id, student, apply); a dry run by default."
)
def campus_erasure() -> None:
    erase_student()
