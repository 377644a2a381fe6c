#!/usr/bin/env python3
"""Makes a CLINC150-sized labelled set (about 15,000 training questions over 154 intents) out of
BANKING77, to time training and answering at that width: the first 100 training questions of each
intent, and a copy of each with every word spelt backwards as an intent of its own ("x_" + label).
The test file is the BANKING77 test file plus its backwards copy.

    python3 bench/wide-set.py ../shared/datasets/banking77 /tmp/wide
    .build/release/flowlearn eval --train /tmp/wide/train.csv --test /tmp/wide/test.csv --json
"""
import csv
import os
import sys


def rows(path):
    with open(path, newline="") as handle:
        return [(row["text"], row["label"]) for row in csv.DictReader(handle)]


def backwards(text):
    return " ".join(word[::-1] for word in text.split())


def write(path, pairs):
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["text", "label"])
        out.writerows(pairs)


def main(source, target):
    os.makedirs(target, exist_ok=True)
    taken = {}
    train = []
    for text, label in rows(os.path.join(source, "train.csv")):
        if taken.get(label, 0) < 100:
            taken[label] = taken.get(label, 0) + 1
            train += [(text, label), (backwards(text), "x_" + label)]
    test = rows(os.path.join(source, "test.csv"))
    write(os.path.join(target, "train.csv"), train)
    write(os.path.join(target, "test.csv"), test + [(backwards(text), "x_" + label) for text, label in test])
    print(f"{len(train)} training rows, {2 * len(taken)} intents, {2 * len(test)} test rows", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
