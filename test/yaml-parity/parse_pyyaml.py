"""Reads a multi-document YAML stream on stdin and prints the documents PyYAML (YAML 1.1,
yaml.safe_load_all) reads from it as one JSON array; empty documents are dropped. A parse error exits 1.

With --batch, stdin is a JSON array of streams and stdout a JSON array with, for each, the array of its
documents or {"error": message}: one process for many streams."""
import datetime
import json
import sys

import yaml


def jsonable(value):
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    if isinstance(value, (datetime.date, datetime.datetime, bytes, set)):
        return {"$pyyaml": type(value).__name__, "value": str(value)}
    return value


def read(stream):
    return [jsonable(doc) for doc in yaml.safe_load_all(stream) if doc is not None]


def main():
    data = sys.stdin.buffer.read()
    if sys.argv[1:] == ["--batch"]:
        results = []
        for stream in json.loads(data):
            try:
                results.append(read(stream.encode("utf-8", "surrogatepass")))
            except yaml.YAMLError as error:
                results.append({"error": str(error)})
        print(json.dumps(results, sort_keys=True, ensure_ascii=True))
        return
    try:
        documents = read(data)
    except yaml.YAMLError as error:
        print(f"pyyaml: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(documents, sort_keys=True, ensure_ascii=True))


main()
