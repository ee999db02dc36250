#!/usr/bin/env python3
"""Validates CycloneDX 1.6 JSON BOMs against the official schema committed beside this file.

    python3 testvectors/cyclonedx/validate.py BOM.json [BOM.json ...]    (or - for stdin)

Exit 0 when every file validates, 1 when one does not (each error printed with its JSON path),
2 on usage errors. Offline: bom-1.6's references to spdx and jsf resolve to the files here.
Works with Debian's python3-jsonschema (4.10, RefResolver) and newer releases (referencing).
Formats (date-time, iri-reference, ...) are checked where the installed jsonschema can.
"""
import json
import os
import sys
import warnings

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = "bom-1.6.SNAPSHOT.schema.json"
REFERENCED = ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]
BASE = "http://cyclonedx.org/schema/"


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as handle:
        return json.load(handle)


def validator():
    schema = load(MAIN)
    # Each referenced schema under the name bom-1.6 uses for it and under its own $id.
    documents = {}
    for name in REFERENCED:
        document = load(name)
        documents[BASE + name] = document
        if "$id" in document:
            documents[document["$id"]] = document
    cls = jsonschema.Draft7Validator
    cls.check_schema(schema)
    checker = cls.FORMAT_CHECKER
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7

        registry = Registry().with_resources(
            (uri, Resource.from_contents(document, default_specification=DRAFT7)) for uri, document in documents.items()
        )
        return cls(schema, registry=registry, format_checker=checker)
    except ImportError:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            store = dict(documents)
            store[schema["$id"]] = schema
            resolver = jsonschema.RefResolver.from_schema(schema, store=store)
            return cls(schema, resolver=resolver, format_checker=checker)


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    check = validator()
    failed = False
    for path in paths:
        try:
            if path == "-":
                bom = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as handle:
                    bom = json.load(handle)
        except (OSError, ValueError) as error:
            print(f"{path}: cannot read JSON: {error}", file=sys.stderr)
            return 2
        errors = sorted(check.iter_errors(bom), key=lambda e: list(e.absolute_path))
        if errors:
            failed = True
            for error in errors:
                where = "/".join(str(part) for part in error.absolute_path) or "(root)"
                print(f"{path}: INVALID at {where}: {error.message}")
        else:
            print(f"{path}: valid CycloneDX {bom.get('specVersion', '?')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
