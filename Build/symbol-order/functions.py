#!/usr/bin/env python3
"""Prints the functions of one executable that callgrind saw run, first-seen first, without
repeats: the start-up profile Build/symbol-order/make.sh turns into lld's symbol ordering file.

Usage: functions.py OBJECT-PATH-SUFFIX CALLGRIND-OUT...

callgrind's compressed format names each object (ob=/cob=) and function (fn=/cfn=) once, with
a number, and refers to it by number afterwards. A cob= line names the object of the callee on
the next call only (until its calls= line); fn= and cfn= without a cob= are in the current
object."""
import re
import sys


def main() -> None:
    suffix, files = sys.argv[1], sys.argv[2:]
    seen, order = set(), []
    for path in files:
        objects, current, callee = {}, None, None
        with open(path, encoding="utf-8", errors="replace") as profile:
            for line in profile:
                line = line.rstrip("\n")
                if line.startswith("calls="):
                    callee = None
                    continue
                match = re.match(r"^(ob|cob)=\((\d+)\)(?: (.*))?$", line)
                if match:
                    kind, number, name = match.groups()
                    if name:
                        objects[number] = name
                    if kind == "ob":
                        current, callee = objects.get(number), None
                    else:
                        callee = objects.get(number)
                    continue
                match = re.match(r"^(fn|cfn)=\((\d+)\)(?: (.*))?$", line)
                if not match:
                    continue
                kind, _, name = match.groups()
                if kind == "fn":
                    callee = None
                if not name:
                    continue
                owner = current if kind == "fn" else (callee or current)
                name = re.sub(r"'\d+$", "", name)  # callgrind marks recursion depth as name'2
                if owner and owner.endswith(suffix) and not name.startswith("0x") and name not in seen:
                    seen.add(name)
                    order.append(name)
    print("\n".join(order))


if __name__ == "__main__":
    main()
