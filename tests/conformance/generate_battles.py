#!/usr/bin/env python3
"""Deterministic synthetic arena battles for the rating tests and benchmarks.

Models model-000 ... have evenly spaced true ratings (shuffled by the seed). Each battle picks a
uniform random pair; with probability --ties it is a tie (one in ten of those "tie (bothbad)"),
otherwise model_a wins with the Bradley-Terry probability (scale 400, base 10). With --style
every battle gets FastChat-style conv_metadata (answer tokens and header/list/bold counts, some
as objects of counts), and the longer answer gets an extra edge, so style control has an effect
to find. The same --seed always gives the same file (Python's random.Random is stable).

Usage: generate_battles.py OUT(.jsonl|.json) --models 12 --battles 20000 [--seed 1] [--ties 0.1]
       [--style]
"""
import argparse
import json
import math
import random


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--models", type=int, default=12)
    p.add_argument("--battles", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ties", type=float, default=0.1)
    p.add_argument("--style", action="store_true")
    args = p.parse_args()
    rng = random.Random(args.seed)
    n = args.models
    truth = [800 + 500 * i / max(1, n - 1) for i in range(n)]
    rng.shuffle(truth)
    names = [f"model-{i:03d}" for i in range(n)]
    typical_length = [rng.uniform(150, 1200) for _ in range(n)]
    array = args.out.endswith(".json")
    with open(args.out, "w", encoding="utf-8") as f:
        if array:
            f.write("[\n")
        for k in range(args.battles):
            a = rng.randrange(n)
            b = rng.randrange(n - 1)
            b += b >= a
            logit = (truth[a] - truth[b]) * math.log(10) / 400
            extra = ""
            if args.style:
                la = int(typical_length[a] * rng.uniform(0.6, 1.4))
                lb = int(typical_length[b] * rng.uniform(0.6, 1.4))
                logit += 0.8 * (la - lb) / (la + lb + 1)
                ha, hb = rng.randrange(4), rng.randrange(4)
                meta = {"sum_assistant_a_tokens": la, "sum_assistant_b_tokens": lb,
                        "header_count_a": {"h1": ha, "h2": rng.randrange(2)}, "header_count_b": hb,
                        "list_count_a": {"ordered": rng.randrange(5), "unordered": rng.randrange(3)},
                        "list_count_b": {"ordered": rng.randrange(5), "unordered": 0},
                        "bold_count_a": rng.randrange(6), "bold_count_b": {"**": rng.randrange(6), "__": 0}}
                extra = ', "conv_metadata": ' + json.dumps(meta, separators=(",", ":"))
            u = rng.random()
            if u < args.ties:
                winner = "tie (bothbad)" if u < args.ties / 10 else "tie"
            else:
                winner = "model_a" if rng.random() < 1 / (1 + math.exp(-logit)) else "model_b"
            anony = "true" if rng.random() < 0.9 else "false"
            line = (f'{{"model_a": "{names[a]}", "model_b": "{names[b]}", "winner": "{winner}", '
                    f'"tstamp": {1767000000 + 7 * k}, "anony": {anony}{extra}}}')
            if array:
                f.write(("  " if k == 0 else ", ") + line + "\n")
            else:
                f.write(line + "\n")
        if array:
            f.write("]\n")


if __name__ == "__main__":
    main()
