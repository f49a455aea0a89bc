"""Expands Trellis's JSON-LD documents with pyld, a JSON-LD processor
Trellis did not write, and reports every property or type that does not
expand to an IRI (the ActivityStreams context maps unknown terms to blank
node ids, `_:term`, which is how an undefined term shows).

Offline: the ActivityStreams context is the copy the bovine package ships
(read as data from its source, none of its code is run); of the security
vocabulary, only the three terms Trellis uses are given here.

Usage: jsonld_expand.py DOCUMENTS.json [FEDERATION.md]
DOCUMENTS.json is a list of {"name": ..., "document": ...}; a document
marked "credential": true is a verifiable credential, checked with the VC
2.0 context pyld ships, any term it leaves undefined reported. From
FEDERATION.md, every ```json example is expanded too, with its "…"
placeholders dropped and its @context replaced by the one of the first
document that has a list @context.
"""

import ast
import importlib.util
import json
import pathlib
import re
import sys

from pyld import jsonld

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"


def activitystreams_context():
    spec = importlib.util.find_spec("bovine")
    if spec is None:
        sys.exit("bovine is not installed (pip install --no-deps bovine)")
    source = pathlib.Path(spec.submodule_search_locations[0]) / "jsonld" / "__init__.py"
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "activitystreams_context" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    sys.exit("no ActivityStreams context in bovine")


CONTEXTS = {
    AS: activitystreams_context(),
    SECURITY: {
        "id": "@id",
        "type": "@type",
        "sec": "https://w3id.org/security#",
        "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
        "publicKeyPem": "sec:publicKeyPem",
        "owner": {"@id": "sec:owner", "@type": "@id"},
    },
}


# The VC 2.0 context, as the copy pyld ships (data, read from its files).
VC2 = "https://www.w3.org/ns/credentials/v2"


def vc2_context():
    spec = importlib.util.find_spec("pyld")
    path = pathlib.Path(spec.submodule_search_locations[0]) / "documentloader" / "frozen" / "bundled" / "credentials-v2.jsonld"
    if not path.exists():
        sys.exit(f"pyld ships no VC 2.0 context at {path}")
    return json.loads(path.read_text())["@context"]


CONTEXTS[VC2] = vc2_context()

# Appended to the context of a credential: its own contexts define no
# `@vocab`, so a term they do not define would be dropped silently; with
# this it expands to an IRI here instead, and is reported.
UNDEFINED = "urn:undefined:"


def loader(url, options=None):
    if url not in CONTEXTS:
        raise jsonld.JsonLdError("no network here", "loading document failed", {"url": url})
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": CONTEXTS[url]},
    }


jsonld.set_document_loader(loader)


def is_iri(text):
    return (
        isinstance(text, str)
        and re.match(r"^[a-z][a-z0-9+.-]*:", text)
        and not text.startswith("_:")
        and not text.startswith(UNDEFINED)
    )


def walk(node, path, problems):
    if isinstance(node, list):
        for item in node:
            walk(item, path, problems)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@type":
            for kind in value if isinstance(value, list) else [value]:
                if kind != "@json" and not is_iri(kind):
                    problems.append(f"{path}: type {kind}")
        elif key == "@value":
            continue
        elif key.startswith("@"):
            walk(value, path, problems)
        elif not is_iri(key):
            problems.append(f"{path}: {key}")
        else:
            walk(value, f"{path}/{key.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}", problems)


def without_placeholders(value):
    if isinstance(value, dict):
        return {k: without_placeholders(v) for k, v in value.items() if k != "…"}
    if isinstance(value, list):
        return [without_placeholders(v) for v in value if not (isinstance(v, str) and v.startswith("…"))]
    return value


def main():
    documents = json.loads(pathlib.Path(sys.argv[1]).read_text())
    context = next(d["document"]["@context"] for d in documents if isinstance(d["document"].get("@context"), list))
    if len(sys.argv) > 2:
        text = pathlib.Path(sys.argv[2]).read_text()
        for n, block in enumerate(re.findall(r"```json\n(.*?)```", text, re.S)):
            try:
                example = json.loads(block)
            except json.JSONDecodeError:
                continue
            if not isinstance(example, dict) or "@context" not in example:
                continue
            # Credentials carry the VC and Open Badges contexts, not ours.
            if "credentials" in json.dumps(example["@context"]):
                continue
            example = without_placeholders(example)
            example["@context"] = context
            documents.append({"name": f"FEDERATION.md example {n}", "document": example})
    problems = []
    for entry in documents:
        document = entry["document"]
        if entry.get("credential"):
            document = dict(document)
            contexts = document["@context"]
            document["@context"] = (contexts if isinstance(contexts, list) else [contexts]) + [{"@vocab": UNDEFINED}]
        expanded = jsonld.expand(document)
        if not expanded:
            problems.append(f"{entry['name']}: expands to nothing")
        walk(expanded, entry["name"], problems)
    for problem in problems:
        print(problem)
    print(f"{len(documents)} documents expanded, {len(problems)} terms without an IRI")
    sys.exit(1 if problems else 0)


main()
