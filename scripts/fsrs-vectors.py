#!/usr/bin/env python3
"""Writes FSRS-6 reference vectors: random review histories replayed through the reference
scheduler (the `fsrs` package on PyPI, 6.x), one history per line (JSON lines).

    python3 -m venv /tmp/fsrs && /tmp/fsrs/bin/pip install 'fsrs>=6,<7'
    /tmp/fsrs/bin/python scripts/fsrs-vectors.py --count 2400 > Tests/CoreTests/Fixtures/fsrs/reference.jsonl

Each line: {"scheduler": {...settings...}, "reviews": [{"rating": 1-4, "review_datetime": ISO,
"card": state after the review}, ...]}. `flowlearn fsrs replay FILE` reads the same lines and
prints its own "card" after each review, so the two can be compared line by line.
Fuzzing is off (the reference's random fuzz cannot be reproduced); every setting used is written
into each line.
"""
import argparse
import json
import random
from datetime import datetime, timedelta, timezone

import fsrs
from fsrs import Card, Rating, Scheduler

ISO = "%Y-%m-%dT%H:%M:%SZ"


def card_dict(card):
    return {
        "state": int(card.state),
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due.strftime(ISO),
        "last_review": card.last_review.strftime(ISO) if card.last_review else None,
    }


def settings(rng):
    """Mostly the reference defaults; some histories use other steps (as a product may configure)."""
    roll = rng.random()
    if roll < 0.7:
        learning, relearning = [60, 600], [600]
    elif roll < 0.85:
        learning, relearning = [], []
    elif roll < 0.95:
        learning, relearning = [3600 * 4], [3600 * 4, 3600 * 20]
    else:
        learning, relearning = [600], []
    return {
        "parameters": list(fsrs.scheduler.DEFAULT_PARAMETERS),
        "desired_retention": 0.9,
        "learning_steps": learning,
        "relearning_steps": relearning,
        "maximum_interval": 36500,
        "enable_fuzzing": False,
    }


def next_time(rng, card, last):
    """Reviews on time, early, late, within the same day, or after a long break."""
    interval = max(60.0, (card.due - last).total_seconds())
    roll = rng.random()
    if roll < 0.35:
        seconds = interval + rng.randint(-300, 3600)
    elif roll < 0.55:
        seconds = interval * rng.uniform(0.05, 1.0)
    elif roll < 0.8:
        seconds = interval * rng.uniform(1.0, 4.0)
    elif roll < 0.92:
        seconds = rng.randint(30, 20 * 3600)
    else:
        seconds = rng.randint(30, 800) * 86400 + rng.randint(0, 86399)
    return last + timedelta(seconds=max(1, int(seconds)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2100)
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for _ in range(args.count):
        config = settings(rng)
        scheduler = Scheduler(
            parameters=config["parameters"],
            desired_retention=config["desired_retention"],
            learning_steps=[timedelta(seconds=s) for s in config["learning_steps"]],
            relearning_steps=[timedelta(seconds=s) for s in config["relearning_steps"]],
            maximum_interval=config["maximum_interval"],
            enable_fuzzing=False,
        )
        when = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
        card = Card(card_id=1, due=when)
        reviews = []
        for index in range(rng.randint(1, 12)):
            if index > 0:
                when = next_time(rng, card, when)
            rating = rng.choices([Rating.Again, Rating.Hard, Rating.Good, Rating.Easy], weights=[22, 15, 48, 15])[0]
            card, _ = scheduler.review_card(card, rating, review_datetime=when)
            reviews.append({"rating": int(rating), "review_datetime": when.strftime(ISO), "card": card_dict(card)})
        print(json.dumps({"scheduler": config, "reviews": reviews}, separators=(",", ":")))


if __name__ == "__main__":
    main()
