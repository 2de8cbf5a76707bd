"""The JSON Schemas of summary.json and index.json (docs/schema), ready to validate with."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schema"


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def validator(name: str) -> Draft202012Validator:
    """A validator of ``summary`` or ``index`` (references between the two resolved locally)."""
    registry = Registry().with_resources(
        (f"{n}.schema.json", Resource.from_contents(_load(n))) for n in ("summary", "index")
    )
    schema = _load(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry)


def errors(name: str, document) -> list[str]:
    """Every way ``document`` breaks the schema ``name``, as ``path: message``."""
    found = validator(name).iter_errors(document)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found)
