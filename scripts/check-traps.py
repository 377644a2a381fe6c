#!/usr/bin/env python3
"""Lists the places in Sources/ that can trap: force unwraps (`x!`), `try!`, `as!` and `fatalError(`.

Every one must be in scripts/trap-allowlist.txt with the reason outside input cannot reach it;
a new one fails `make test`, so it is seen in review. Comment lines and the inside of string
literals are not read. Usage: scripts/check-traps.py [--list]  (--list prints every site found).
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "scripts" / "trap-allowlist.txt"
TRAP = re.compile(r"try!|as!|fatalError\(|[\]\w)]!(?=[\].,):} ]|$)")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def sites():
    for path in sorted((ROOT / "Sources").rglob("*.swift")):
        relative = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.strip()
            if code.startswith("//"):
                continue
            bare = STRING.sub('""', code.split(" // ")[0])
            if TRAP.search(bare.replace("!=", "  ")):
                yield relative, number, code


def allowed():
    entries = {}
    for number, line in enumerate(ALLOWLIST.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split(" | ")]
        if len(parts) != 3 or not parts[2]:
            sys.exit(f"{ALLOWLIST.name}:{number}: expected 'path | code | reason', got: {line}")
        entries[(parts[0], parts[1])] = parts[2]
    return entries


def main():
    allow = allowed()
    found = list(sites())
    if "--list" in sys.argv:
        for path, number, code in found:
            print(f"{path} | {code} | {allow.get((path, code), 'NOT ALLOWED')}")
        return 0
    unlisted = [(p, n, c) for p, n, c in found if (p, c) not in allow]
    seen = {(p, c) for p, _, c in found}
    stale = [key for key in allow if key not in seen]
    for path, code in stale:
        print(f"check-traps: note: allowlisted but gone (remove it): {path} | {code}")
    for path, number, code in unlisted:
        print(f"{path}:{number}: can trap (force unwrap, try!, as! or fatalError) and is not in scripts/trap-allowlist.txt: {code}")
    print(f"check-traps: {len(found)} sites, {len(found) - len(unlisted)} allowlisted, {len(unlisted)} not")
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main())
