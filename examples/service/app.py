"""A reference HTTP service around kgxp: validate, run, verify, compare, schema.

Run it (``pip install 'kgxp[service]'``)::

    uvicorn app:app --app-dir examples/service --port 8000

and see docs/service.md for ``curl`` calls. It is a reference, not a product: no
authentication, no storage; every request is independent (kgxp's inputs are frozen
and its functions pure), so requests run concurrently in uvicorn's thread pool and
the same request always returns the same bytes.

Bad input of any kind — malformed JSON, a field of the wrong type, a teacher at an
unknown school — is answered ``422`` with kgxp's :class:`~kgxp.ErrorDocument`: every
problem, each located (``record``, ``record_id``, ``field``), never a 500. The OpenAPI
description (``/openapi.json``, ``/docs``) is built from kgxp's own JSON Schemas.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, JsonValue, StrictInt, ValidationError
from pydantic.json_schema import models_json_schema
from starlette.concurrency import run_in_threadpool

import kgxp
from kgxp.model.digest import scenario_digest

app = FastAPI(
    title="kgxp reference service",
    version=kgxp.__version__,
    description="县管校聘 placement rounds over HTTP: validate, run, verify, compare.",
)

JSON = "application/json"


# --- request envelopes -------------------------------------------------------------------


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunRequest(_Envelope):
    """A scenario, and the policy to run it with (a preset name or a full policy)."""

    scenario: dict[str, JsonValue]
    preset: str | None = Field(default=None, description="a policy preset name")
    policy: dict[str, JsonValue] | None = Field(default=None, description="a policy document")
    # Strict, as kgxp.run_round's own check: JSON true or 5.0 is no seed (lax int read them as 1, 5).
    seed: StrictInt | None = Field(
        default=None, ge=0, description="lottery seed, a whole number ≥ 0 (default: the policy's)"
    )


class VerifyRequest(_Envelope):
    """A scenario and a result claimed for it."""

    scenario: dict[str, JsonValue]
    result: dict[str, JsonValue]
    rerun: bool = Field(default=False, description="also re-run the round (I12)")


class CompareRequest(_Envelope):
    """Two results, with the scenarios they were run on when known (adds balance metrics)."""

    a: dict[str, JsonValue]
    b: dict[str, JsonValue]
    scenario_a: dict[str, JsonValue] | None = None
    scenario_b: dict[str, JsonValue] | None = None


class Validity(BaseModel):
    """What ``/validate`` answers for a valid scenario."""

    valid: bool
    schools: int
    posts: int
    teachers: int
    digest: str = Field(description="SHA-256 of the scenario's canonical JSON (I12)")


# --- errors: always kgxp's located problems, never a 500 -----------------------------------


@app.exception_handler(kgxp.KgxpError)
def _kgxp_error(_: Request, error: kgxp.KgxpError) -> Response:
    status = 422 if isinstance(error, kgxp.ScenarioError) else 500
    return Response(error.to_json(), status_code=status, media_type=JSON)


def _request_error(problems: list[kgxp.Problem]) -> kgxp.ScenarioError:
    return kgxp.ScenarioError(problems, summary="invalid request")


def _within(part: str, error: kgxp.ScenarioError) -> kgxp.ScenarioError:
    """``error``'s problems located inside the envelope's ``part`` (``scenario.teachers[3]``)."""
    moved = [
        p if p.record == part else dataclasses.replace(p, record=f"{part}.{p.record}")
        for p in error.problems
    ]
    return type(error)(moved, summary=error.summary)


E = TypeVar("E", bound=_Envelope)
T = TypeVar("T")


def _envelope(body: bytes, model: type[E]) -> E:
    # Decoded as kgxp reads its files: pydantic's JSON path would let the last of a key
    # given twice win without a word (a teacher's score, say); refused here, located.
    try:
        data = kgxp.decode_json(body)
    except kgxp.ScenarioError as error:  # located in the body: line and column, the key
        raise _request_error(
            [dataclasses.replace(p, record="body") for p in error.problems]
        ) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            loc = [str(part) for part in item["loc"]]
            record = loc[0] if loc else "body"
            field = ".".join(loc[1:]) or ("(whole body)" if record == "body" else "(whole field)")
            problems.append(kgxp.Problem(record, field, item["msg"], code=item["type"]))
        raise _request_error(problems) from None


def _parse(part: str, parse: Callable[[Any], T], data: Any) -> T:
    try:
        return parse(data)
    except kgxp.ScenarioError as error:
        raise _within(part, error) from None


def _result(data: Mapping[str, Any], part: str) -> kgxp.RoundResult:
    try:
        return kgxp.RoundResult.model_validate(data)
    except ValidationError as error:
        problems = [
            kgxp.Problem(
                part,
                ".".join(str(x) for x in item["loc"]) or "(whole result)",
                item["msg"],
                code=item["type"],
            )
            for item in error.errors(include_url=False)
        ]
        raise kgxp.ScenarioError(problems, summary="invalid result") from None


def _policy(request: RunRequest) -> kgxp.Policy:
    if request.preset is not None and request.policy is not None:
        raise _request_error(
            [kgxp.Problem("preset", "", "give a preset or a policy, not both", code="conflict")]
        )
    if request.policy is not None:
        return _parse("policy", kgxp.parse_policy, request.policy)
    name = request.preset or "default"
    if name not in kgxp.preset_names():
        message = f"unknown preset; choose one of {', '.join(kgxp.preset_names())}"
        raise _request_error([kgxp.Problem("preset", "", message, code="unknown_preset")])
    return kgxp.preset(name)


# --- endpoints ---------------------------------------------------------------------------

_BAD = {422: {"model": kgxp.ErrorDocument, "description": "invalid input, every problem located"}}


@app.post(
    "/validate", response_model=Validity, responses=_BAD, openapi_extra={"x-kgxp-body": "Scenario"}
)
async def validate(request: Request) -> Response:
    """Check a scenario (the body) and list every problem."""

    def check(body: bytes) -> str:
        scenario = kgxp.parse_scenario(body)
        return Validity(
            valid=True,
            schools=len(scenario.schools),
            posts=len(scenario.posts),
            teachers=len(scenario.teachers),
            digest=scenario_digest(scenario),
        ).model_dump_json()

    return await _in_thread(check, request)


@app.post(
    "/run",
    responses={200: {"model": kgxp.RoundResult, "description": "the round"}, **_BAD},
    openapi_extra={"x-kgxp-body": "RunRequest"},
)
async def run(request: Request) -> Response:
    """Run the placement round; the body is a :class:`RunRequest`."""

    def work(body: bytes) -> str:
        envelope = _envelope(body, RunRequest)
        scenario = _parse("scenario", kgxp.parse_scenario, envelope.scenario)
        policy = _policy(envelope)
        return kgxp.run_round(scenario, policy=policy, seed=envelope.seed).to_json()

    return await _in_thread(work, request)


@app.post(
    "/verify",
    responses={200: {"model": list[kgxp.ViolationDocument], "description": "violations"}, **_BAD},
    openapi_extra={"x-kgxp-body": "VerifyRequest"},
)
async def verify(request: Request) -> Response:
    """Check a result against the invariants; ``[]`` when it holds."""

    def check(body: bytes) -> str:
        envelope = _envelope(body, VerifyRequest)
        scenario = _parse("scenario", kgxp.parse_scenario, envelope.scenario)
        result = _result(envelope.result, "result")
        found = kgxp.verify(scenario, result, rerun=envelope.rerun)
        documents = [v.document().model_dump(mode="json") for v in found]
        return json.dumps(documents, ensure_ascii=False)

    return await _in_thread(check, request)


@app.post(
    "/compare",
    responses={200: {"model": kgxp.Comparison, "description": "what changed"}, **_BAD},
    openapi_extra={"x-kgxp-body": "CompareRequest"},
)
async def compare(request: Request) -> Response:
    """Who moved where between result ``a`` and result ``b``."""

    def work(body: bytes) -> str:
        envelope = _envelope(body, CompareRequest)
        a, b = _result(envelope.a, "a"), _result(envelope.b, "b")
        if (envelope.scenario_a is None) != (envelope.scenario_b is None):
            message = "give both scenarios (for balance metrics) or neither"
            raise _request_error([kgxp.Problem("scenario_a", "", message, code="conflict")])
        scenarios = None
        if envelope.scenario_a is not None and envelope.scenario_b is not None:
            scenarios = (
                _parse("scenario_a", kgxp.parse_scenario, envelope.scenario_a),
                _parse("scenario_b", kgxp.parse_scenario, envelope.scenario_b),
            )
        return kgxp.compare(a, b, scenarios=scenarios).model_dump_json()

    return await _in_thread(work, request)


@app.get("/schema/{document}", responses={404: {"model": kgxp.ErrorDocument}})
def schema(document: str) -> Response:
    """The JSON Schema of one kgxp document (``GET /schema`` lists them)."""
    if document not in kgxp.document_names():
        error = kgxp.ErrorDocument(
            error="NotFound",
            message=f"unknown document {document!r}; choose one of {kgxp.document_names()}",
        )
        return JSONResponse(error.model_dump(mode="json"), status_code=404)
    return JSONResponse(kgxp.json_schema(document))


@app.get("/schema")
def schemas() -> list[str]:
    """The documents ``/schema/{document}`` describes."""
    return kgxp.document_names()


async def _in_thread(work: Callable[[bytes], str], request: Request) -> Response:
    """Read the body, then run kgxp's CPU-bound work in the thread pool (the event loop
    keeps serving); kgxp's own JSON text is the response, byte for byte."""
    body = await request.body()
    return Response(await run_in_threadpool(work, body), media_type=JSON)


# --- OpenAPI from kgxp's own schemas -----------------------------------------------------


class _RunRequestDoc(BaseModel):
    scenario: kgxp.Scenario
    preset: str | None = None
    policy: kgxp.Policy | None = None
    seed: StrictInt | None = Field(default=None, ge=0)


class _VerifyRequestDoc(BaseModel):
    scenario: kgxp.Scenario
    result: kgxp.RoundResult
    rerun: bool = False


class _CompareRequestDoc(BaseModel):
    a: kgxp.RoundResult
    b: kgxp.RoundResult
    scenario_a: kgxp.Scenario | None = None
    scenario_b: kgxp.Scenario | None = None


_DOCUMENTED: dict[str, type[BaseModel]] = {
    "Scenario": kgxp.Scenario,
    "RunRequest": _RunRequestDoc,
    "VerifyRequest": _VerifyRequestDoc,
    "CompareRequest": _CompareRequestDoc,
}


def _openapi() -> dict[str, Any]:
    """FastAPI's description, with each body described by the kgxp model it must be.

    The endpoints read their bodies themselves (so that bad input gets kgxp's located
    problems, not a framework error), so the request schemas are added here, from the
    same pydantic models ``kgxp schema`` publishes.
    """
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    _, defs = models_json_schema(
        [(model, "validation") for model in _DOCUMENTED.values()],
        ref_template="#/components/schemas/{model}",
    )
    components = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in defs.get("$defs", {}).items():
        components.setdefault(name, schema)
    for name, model in _DOCUMENTED.items():  # the private doc models, under the public names
        components[name] = components.pop(model.__name__) | {"title": name}
    for path in spec["paths"].values():
        for operation in path.values():
            body = operation.pop("x-kgxp-body", None)
            if body:
                operation["requestBody"] = {
                    "required": True,
                    "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{body}"}}},
                }
    app.openapi_schema = spec
    return spec


app.openapi = _openapi  # type: ignore[method-assign]
