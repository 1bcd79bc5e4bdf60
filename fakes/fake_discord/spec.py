"""Discord's OpenAPI description as the fake's rule book: request and response validation.

`discord-openapi.json` beside this module is github.com/discord/discord-api-spec,
specs/openapi.json at commit 74fda0f. It is loaded and its validators compiled once per
process (the file is 1.2 MB), one validator per (operation, body) and cached.

A request that breaks its schema is answered as Discord does, 400 code 50035 "Invalid Form
Body" with an `errors` tree keyed by the failing field's path. Discord is stricter than its
spec in a few places (`discord_limits`), and looser in exactly one (`_ACCEPTED_SNOWFLAKE`).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).with_name("discord-openapi.json")
_SPEC_URI = "urn:discord-openapi"

# THE one accepted deviation from the spec, for request bodies only: discord.py sends some
# snowflakes as JSON integers (allowed_mentions users/roles, message_reference ids, attachment
# ids) and Discord accepts them. Every snowflake in the spec is a $ref to SnowflakeType, so
# widening that one schema widens them all; answers the fake sends still need strings.
_ACCEPTED_SNOWFLAKE = {
    "oneOf": [
        {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
        {"type": "integer", "minimum": 0, "maximum": 2**64 - 1},
    ]
}

# Discord's limits that are stricter than the spec's numbers.
BOT_CONTENT_MAX = 2000  # the spec allows 4000 in a channel post; a bot gets 2000
TEXT_INPUT_LABEL_MAX = 45
CUSTOM_ID_MAX = 100
BUTTON, TEXT_INPUT, LABEL = 2, 4, 18  # component types with rules of their own
LINK_STYLE, PREMIUM_STYLE = 5, 6  # button styles


@dataclass(frozen=True)
class FieldError:
    """One rejected field: its path in the body (("components", 0, "label")), code, message."""

    path: tuple[str | int, ...]
    code: str
    message: str

    @property
    def dotted(self) -> str:
        """The path as Discord's clients show it: components.0.label ("_root" for the body)."""
        return ".".join(str(p) for p in self.path) or "_root"


@dataclass(frozen=True)
class Operation:
    """One spec operation: the method, the path template and its operationId."""

    method: str
    template: str
    operation_id: str

    @property
    def pointer(self) -> str:
        """JSON pointer to the operation object inside the spec."""
        escaped = self.template.replace("~", "~0").replace("/", "~1")
        return f"/paths/{escaped}/{self.method.lower()}"


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed spec (read once per process)."""
    with SPEC_PATH.open(encoding="utf-8") as file:
        spec: dict[str, Any] = json.load(file)
    return spec


@functools.cache
def _routes() -> tuple[tuple[re.Pattern[str], Operation], ...]:
    routes = []
    for template, item in load_spec()["paths"].items():
        parts = re.split(r"(\{[^}]+\})", template)
        pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        for method, op in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                operation = Operation(method.upper(), template, op.get("operationId", ""))
                routes.append((template.count("{"), re.compile(pattern), operation))
    # A literal segment wins over a parameter: /users/@me before /users/{user_id}.
    routes.sort(key=lambda r: r[0])
    return tuple((pattern, op) for _, pattern, op in routes)


def find_operation(method: str, path: str) -> Operation | None:
    """The spec operation for a request path under /api/v10 (e.g. "/channels/1/messages")."""
    for pattern, op in _routes():
        if op.method == method and pattern.fullmatch(path):
            return op
    return None


@functools.cache
def _registry(for_requests: bool) -> Registry[Any]:
    spec = load_spec()
    if for_requests:
        spec = copy.deepcopy(spec)
        spec["components"]["schemas"]["SnowflakeType"] = _ACCEPTED_SNOWFLAKE
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    # with_resources, not with_resource (which calls it): that one carries no types.
    registry: Registry[Any] = Registry()
    return registry.with_resources([(_SPEC_URI, resource)])


def _node(pointer: str) -> Any:
    node: Any = load_spec()
    for part in pointer.strip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


@functools.cache
def _validator(pointer: str, for_requests: bool) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{_SPEC_URI}#{pointer}"}, registry=_registry(for_requests)
    )


def _media_pointer(base: str, content: dict[str, Any], content_type: str) -> str | None:
    for media in (content_type, "application/json"):
        if media in content:
            return f"{base}/content/{media.replace('/', '~1')}/schema"
    return None


def request_schema_pointer(op: Operation, content_type: str) -> str | None:
    """Pointer to the request body schema for this media type, or None if there is none."""
    body = _node(op.pointer).get("requestBody")
    if body is None:
        return None
    return _media_pointer(f"{op.pointer}/requestBody", body.get("content", {}), content_type)


def response_schema_pointer(op: Operation, status: int) -> str | None:
    """Pointer to the response schema for this status (exact code, then 4XX/5XX, then default)."""
    responses = _node(op.pointer).get("responses", {})
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key not in responses:
            continue
        answer = responses[key]
        base = f"{op.pointer}/responses/{key}"
        if "$ref" in answer:
            base = answer["$ref"].removeprefix("#")
            answer = _node(base)
        return _media_pointer(base, answer.get("content", {}), "application/json")
    return None


def documented_statuses(op: Operation) -> set[str]:
    """The status keys the spec lists for an operation ("200", "204", "4XX", ...)."""
    return set(_node(op.pointer).get("responses", {}))


def validate_request(op: Operation, content_type: str, body: Any) -> list[FieldError]:
    """Schema errors in a request body (integer snowflakes accepted), then Discord's limits."""
    pointer = request_schema_pointer(op, content_type)
    errors = [] if pointer is None else _errors(_validator(pointer, True), body)
    unique = {(e.path, e.code): e for e in errors + discord_limits(op, body)}
    return list(unique.values())


def validate_query(op: Operation, query: dict[str, str]) -> list[FieldError]:
    """Errors in the query string against the operation's query parameters (?limit=101)."""
    found: list[FieldError] = []
    for pointer, parameter in _query_parameters(op):
        name = parameter["name"]
        if name not in query:
            continue
        value = _coerce(query[name], _resolved(parameter.get("schema", {})))
        if value is None:
            found.append(
                FieldError((name,), "NUMBER_TYPE_COERCE", f'Value "{query[name]}" is not int.')
            )
            continue
        found.extend(
            FieldError((name, *e.path), e.code, e.message)
            for e in _errors(_validator(f"{pointer}/schema", True), value)
        )
    return found


def _query_parameters(op: Operation) -> Iterator[tuple[str, dict[str, Any]]]:
    item_pointer = op.pointer.rsplit("/", 1)[0]
    for base in (item_pointer, op.pointer):
        for index, parameter in enumerate(_node(base).get("parameters", [])):
            if parameter.get("in") == "query":
                yield f"{base}/parameters/{index}", parameter


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _node(schema["$ref"].removeprefix("#"))
    return schema


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    """A query string value as the JSON type its schema wants; None if it is no such value."""
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "integer" in kinds:
        try:
            return int(raw)
        except ValueError:
            return None
    if "boolean" in kinds:
        return raw.lower() in ("true", "1", "yes")
    return raw


def validate_response(op: Operation, status: int, body: Any) -> list[FieldError] | None:
    """Schema errors in an answer; None when the spec documents no body for that status."""
    pointer = response_schema_pointer(op, status)
    if pointer is None:
        return None
    if status >= 400 and isinstance(body, dict):
        # The spec types a field error's code as an integer; Discord sends strings such as
        # "BASE_TYPE_MAX_LENGTH" there, and so does the fake. The rest of the error is checked.
        body = {k: v for k, v in body.items() if k != "errors"}
    return _errors(_validator(pointer, False), body)


def schema_errors(schema_name: str, instance: Any) -> list[FieldError]:
    """Errors of `instance` against one named request schema (components/schemas/<name>)."""
    return _errors(_validator(f"/components/schemas/{schema_name}", True), instance)


def property_rules(schema_name: str, prop: str) -> dict[str, Any]:
    """The length/pattern rules the spec sets for one property of a named schema."""
    schema = load_spec()["components"]["schemas"][schema_name]["properties"][prop]
    return {k: schema[k] for k in ("minLength", "maxLength", "pattern") if k in schema}


def _errors(validator: Draft202012Validator, body: Any) -> list[FieldError]:
    found = [_field_error(_leaf(e)) for e in validator.iter_errors(body)]
    return sorted(set(found), key=lambda e: [str(p) for p in e.path])


def _leaf(error: ValidationError) -> ValidationError:
    """The error a reader wants out of an anyOf/oneOf: the one in the branch the body meant."""
    while error.context:
        branches: dict[int, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
        meant = [b for b in branches.values() if not any(_discriminates(e, error) for e in b)]
        candidates = meant or list(branches.values())
        # Fewest complaints, then the deepest: that branch is what the client tried to send.
        best = min(candidates, key=lambda b: (len(b), -max(len(e.absolute_path) for e in b)))
        error = max(best, key=lambda e: len(e.absolute_path))
    return error


def _discriminates(error: ValidationError, parent: ValidationError) -> bool:
    """True when this branch error says the body is another kind of thing altogether."""
    relative = list(error.absolute_path)[len(parent.absolute_path) :]
    if error.validator == "type" and not relative:
        return True  # e.g. {"type": "null"} branch of a nullable field
    return relative == ["type"] and error.validator in ("enum", "const")


_CODES = {
    "maxLength": ("BASE_TYPE_MAX_LENGTH", "Must be {} or fewer in length."),
    "maxItems": ("BASE_TYPE_MAX_LENGTH", "Must be {} or fewer in length."),
    "minLength": ("BASE_TYPE_MIN_LENGTH", "Must be {} or more in length."),
    "minItems": ("BASE_TYPE_MIN_LENGTH", "Must be {} or more in length."),
    "maximum": ("NUMBER_TYPE_MAX", "int value should be less than or equal to {}."),
    "minimum": ("NUMBER_TYPE_MIN", "int value should be greater than or equal to {}."),
    "enum": ("BASE_TYPE_CHOICES", "Value must be one of {}."),
    "pattern": ("STRING_TYPE_REGEX", "String value did not match validation regex."),
    "type": ("BASE_TYPE_INVALID", "Must be of type {}."),
    "uniqueItems": ("BASE_TYPE_UNIQUE", "Items must be unique."),
}


def _field_error(error: ValidationError) -> FieldError:
    path = tuple(error.absolute_path)
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return FieldError(path + tuple(missing[:1]), "BASE_TYPE_REQUIRED", "This field is required")
    code, template = _CODES.get(str(error.validator), ("BASE_TYPE_INVALID", "Invalid value."))
    return FieldError(path, code, template.format(error.validator_value))


def errors_tree(errors: list[FieldError]) -> dict[str, Any]:
    """Discord's nested `errors` object: {"components": {"0": {"label": {"_errors": [...]}}}}."""
    tree: dict[str, Any] = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": error.code, "message": error.message})
    return tree


def invalid_form_body(errors: list[FieldError]) -> dict[str, Any]:
    """The body of Discord's 400 answer to a body it rejects."""
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors_tree(errors)}


# ------------------------------------------------------------------ stricter than the spec

_MESSAGE_BODIES = {
    "create_message",
    "update_message",
    "execute_webhook",
    "update_webhook_message",
    "update_original_webhook_message",
    "create_interaction_response",
}


def discord_limits(op: Operation, body: Any) -> list[FieldError]:
    """Discord's own limits where they are stricter than the spec's schema."""
    if not isinstance(body, dict) or op.operation_id not in _MESSAGE_BODIES:
        return []
    found: list[FieldError] = []
    prefix: tuple[str | int, ...] = ()
    message: Any = body
    if op.operation_id == "create_interaction_response":
        prefix, message = ("data",), body.get("data")
        if not isinstance(message, dict):
            return []
    content = message.get("content")
    if isinstance(content, str) and len(content) > BOT_CONTENT_MAX:
        found.append(
            FieldError(
                (*prefix, "content"),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {BOT_CONTENT_MAX} or fewer in length.",
            )
        )
    seen_ids: set[str] = set()
    for path, component in _components(message.get("components"), (*prefix, "components")):
        custom_id = component.get("custom_id")
        if component.get("type") == BUTTON:
            found.extend(_button_rules(path, component))
        if isinstance(custom_id, str) and custom_id in seen_ids:
            found.append(
                FieldError(
                    (*path, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            )
        if isinstance(custom_id, str):
            seen_ids.add(custom_id)
        if isinstance(custom_id, str) and len(custom_id) > CUSTOM_ID_MAX:
            found.append(
                FieldError(
                    (*path, "custom_id"),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {CUSTOM_ID_MAX} or fewer in length.",
                )
            )
        label = component.get("label")
        labelled = component.get("type") in (TEXT_INPUT, LABEL)
        if labelled and isinstance(label, str) and len(label) > TEXT_INPUT_LABEL_MAX:
            found.append(
                FieldError(
                    (*path, "label"),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {TEXT_INPUT_LABEL_MAX} or fewer in length.",
                )
            )
    return found


def _button_rules(path: tuple[str | int, ...], button: dict[str, Any]) -> list[FieldError]:
    """A link button (style 5) has a url and no custom_id; a premium one (6) a sku_id; every
    other style a custom_id. The spec cannot say this; Discord refuses the message."""
    style = button.get("style")
    if style == LINK_STYLE:
        if button.get("custom_id") is not None:
            return [
                FieldError(
                    (*path, "custom_id"),
                    "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED",
                    "A custom id cannot be set on a link button",
                )
            ]
        required = "url"
    elif style == PREMIUM_STYLE:
        required = "sku_id"
    else:
        required = "custom_id"
    if button.get(required) is None:
        return [FieldError((*path, required), "BASE_TYPE_REQUIRED", "This field is required")]
    return []


def _components(
    components: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    if not isinstance(components, list):
        return
    for index, component in enumerate(components):
        yield from _component_tree(component, (*path, index))


def _component_tree(
    component: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    if not isinstance(component, dict):
        return
    yield path, component
    yield from _components(component.get("components"), (*path, "components"))
    for key in ("component", "accessory"):
        yield from _component_tree(component.get(key), (*path, key))
