#!/usr/bin/env python3
"""Generate discord-openapi-subset.json from Discord's OpenAPI description.

Usage: python3 tools/extract-openapi-subset.py SPEC_DIR [OUTPUT]
  SPEC_DIR is a checkout of discord/discord-api-spec (must hold openapi.json,
  REVISION and LICENSE); OUTPUT defaults to sim/src/discord-openapi-subset.json.
  The licence copy DISCORD-OPENAPI-LICENSE is (re)written next to
  OUTPUT: the spec's LICENSE verbatim plus one line naming the source.

For each operation in OPERATIONS this keeps the method, the spec's exact path
template, the path/query parameter schemas, the application/json request-body
schema and the response schemas (2xx, plus the documented error responses
resolved from #/components/responses), and then every #/components/schemas/...
entry they reference, transitively, with $refs left intact. Stdlib only; the
output is deterministic (sorted keys) so regenerating is diff-friendly.
"""
import json
import os
import sys

# (method, path as written by the frontdesk brief, relative to /api/v10).
# Parameter names need not match the spec: templates are matched by shape,
# i.e. literal segments equal and {param} segments in the same places.
OPERATIONS = [
    ("GET", "/gateway"),
    ("GET", "/gateway/bot"),
    ("GET", "/users/@me"),
    ("POST", "/users/@me/channels"),
    ("GET", "/channels/{channel_id}"),
    ("GET", "/channels/{channel_id}/messages"),
    ("POST", "/channels/{channel_id}/messages"),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads"),
    ("POST", "/channels/{channel_id}/threads"),
    ("GET", "/guilds/{guild_id}/threads/active"),
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"),
    ("POST", "/webhooks/{application_id}/{webhook_token}"),
    ("PATCH", "/webhooks/{application_id}/{webhook_token}/messages/@original"),
    ("GET", "/applications/{application_id}/commands"),
    ("PUT", "/applications/{application_id}/commands"),
    ("GET", "/applications/{application_id}/guilds/{guild_id}/commands"),
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"),
    ("GET", "/applications/@me"),
    ("GET", "/oauth2/applications/@me"),
    # What `frontdesk setup` and `doctor` read.
    ("GET", "/users/@me/guilds"),
    ("GET", "/guilds/{guild_id}"),
    ("GET", "/guilds/{guild_id}/channels"),
    ("GET", "/guilds/{guild_id}/roles"),
    ("GET", "/guilds/{guild_id}/members/{user_id}"),
]

SCHEMA_REF = "#/components/schemas/"
RESPONSE_REF = "#/components/responses/"


def shape(template):
    return tuple("{}" if seg.startswith("{") and seg.endswith("}") else seg
                 for seg in template.strip("/").split("/"))


def find_template(paths, wanted):
    hits = [p for p in paths if shape(p) == shape(wanted)]
    return hits[0] if len(hits) == 1 else None


def collect_refs(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref)
        for v in node.values():
            collect_refs(v, out)
    elif isinstance(node, list):
        for v in node:
            collect_refs(v, out)


def json_schema_of(content):
    """The application/json schema of a content map, or None."""
    if not content:
        return None
    media = content.get("application/json")
    if media is None:
        return None
    return media.get("schema")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    spec_dir = sys.argv[1]
    out_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        here, "..", "sim", "src", "discord-openapi-subset.json")

    with open(os.path.join(spec_dir, "openapi.json"), encoding="utf-8") as f:
        spec = json.load(f)
    with open(os.path.join(spec_dir, "REVISION"), encoding="utf-8") as f:
        revision = f.read().strip()

    paths = spec["paths"]
    components = spec.get("components", {})
    all_schemas = components.get("schemas", {})
    all_responses = components.get("responses", {})

    operations = []
    missing = []
    renamed = []
    for method, wanted in OPERATIONS:
        template = find_template(paths, wanted)
        item = paths.get(template) if template else None
        op = item.get(method.lower()) if item else None
        if op is None:
            missing.append({"method": method, "path": wanted})
            continue
        if template != wanted:
            renamed.append({"method": method, "requested": wanted, "template": template})

        params = {"path": {}, "query": {}}
        for p in list(item.get("parameters", [])) + list(op.get("parameters", [])):
            if p.get("in") in params:
                params[p["in"]][p["name"]] = {
                    "required": bool(p.get("required", False)),
                    "schema": p.get("schema", {}),
                }

        request = None
        rb = op.get("requestBody")
        if rb is not None:
            content = rb.get("content", {})
            request = {
                "required": bool(rb.get("required", False)),
                "content_types": sorted(content),
                "schema": json_schema_of(content),
            }

        responses = {}
        for status, resp in op.get("responses", {}).items():
            ref = resp.get("$ref")
            if isinstance(ref, str) and ref.startswith(RESPONSE_REF):
                resp = all_responses[ref[len(RESPONSE_REF):]]
            content = resp.get("content")
            responses[status] = {
                "description": resp.get("description", ""),
                # null: the response has no body (e.g. 204)
                "schema": json_schema_of(content) if content else None,
            }

        operations.append({
            "method": method,
            "path": template,
            "operation_id": op.get("operationId"),
            "parameters": params,
            "request_body": request,
            "responses": responses,
        })

    # Transitive closure over #/components/schemas refs.
    keep = {}
    pending = set()
    collect_refs(operations, pending)
    while pending:
        ref = pending.pop()
        if not ref.startswith(SCHEMA_REF):
            raise SystemExit("unexpected $ref kind: " + ref)
        name = ref[len(SCHEMA_REF):]
        if name in keep:
            continue
        if name not in all_schemas:
            raise SystemExit("dangling $ref: " + ref)
        keep[name] = all_schemas[name]
        found = set()
        collect_refs(keep[name], found)
        pending |= {r for r in found if r[len(SCHEMA_REF):] not in keep}

    commit = date = None
    words = revision.split()
    for w in words:
        if len(w) == 40 and all(c in "0123456789abcdef" for c in w):
            commit = w
        elif "T" in w and w[:4].isdigit():
            date = w
    subset = {
        "note": ("GENERATED FILE - do not edit by hand. A subset of Discord's OpenAPI "
                 "description (discord/discord-api-spec, specs/openapi.json), MIT licence: "
                 "see DISCORD-OPENAPI-LICENSE. Regenerate with extract.py. Only the "
                 "operations listed below and the component schemas they reference "
                 "(transitively) are kept; request bodies are the application/json form."),
        "source": {
            "repository": "discord/discord-api-spec",
            "file": "specs/openapi.json",
            "revision": revision,
            "commit": commit,
            "date": date,
        },
        "openapi": spec.get("openapi"),
        "info": spec.get("info"),
        "base_path": "/api/v10",
        "operations": operations,
        "renamed_templates": renamed,
        "missing_operations": missing,
        "components": {"schemas": dict(sorted(keep.items()))},
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(subset, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")

    licence_path = os.path.join(os.path.dirname(os.path.abspath(out_path)),
                                "DISCORD-OPENAPI-LICENSE")
    with open(os.path.join(spec_dir, "LICENSE"), encoding="utf-8") as f:
        licence = f.read()
    if not licence.endswith("\n"):
        licence += "\n"
    with open(licence_path, "w", encoding="utf-8") as f:
        f.write(licence)
        f.write("\nSource: https://github.com/discord/discord-api-spec (specs/openapi.json), "
                "revision %s (%s); discord-openapi-subset.json is a generated subset of it.\n"
                % (commit or revision, date or "date unknown"))

    print("wrote %s: %d operations, %d schemas" % (out_path, len(operations), len(keep)),
          file=sys.stderr)
    for r in renamed:
        print("  template %s %s -> %s" % (r["method"], r["requested"], r["template"]),
              file=sys.stderr)
    for m in missing:
        print("  MISSING %s %s" % (m["method"], m["path"]), file=sys.stderr)


if __name__ == "__main__":
    main()
