#!/usr/bin/env python3
"""Reference ratings for `kaieval arena rate`, written from FastChat's documented definitions
(fastchat/serve/monitor/rating_systems.py: compute_bt and compute_style_control), not from its
code: the tests/e2e/arena_rate_test.sh conformance check compares kaieval's fit with this.

Bradley-Terry (default): battles are counted into distinct (model_a, model_b, outcome) rows;
the outcome for model_a is 1 for a win, 0 for a loss and 0.5 for anything else ("tie" and
"tie (bothbad)"). With r the ratings in units of `scale`, the minimised loss is the
count-weighted binary cross-entropy of sigmoid(ln(base) * (r_a - r_b)) against the outcome,
without any penalty, from r = 0 by L-BFGS-B (at most 100 iterations, gradient tolerance
1e-6). Reported ratings are r * scale + init_rating, optionally shifted so that an anchor model
has a given rating.

Style control (--style-control): every battle is its own row. For the counts length
(sum_assistant_*_tokens), headers, lists and bold of conv_metadata (numbers, or objects whose
values are summed) the feature is (a - b) / (a + b + 1), standardised by its mean and
population standard deviation over the battles. The loss is the unweighted cross-entropy of
sigmoid(ln(base) * (r_a - r_b) + features . beta) plus (reg / 2) * |(r, beta)|^2, reg = 0.5.

Usage: fastchat_bt.py BATTLES(.jsonl|.json) [--anchor MODEL=RATING] [--style-control]
Prints {"ratings": {model: rating}, "coefficients": [...] (style control only)} as JSON.
"""
import argparse
import json
import math
import sys

import numpy as np
from scipy.optimize import minimize

SCALE, BASE, INIT = 400.0, 10.0, 1000.0
STYLE_KEYS = [("sum_assistant_a_tokens", "sum_assistant_b_tokens"),
              ("header_count_a", "header_count_b"),
              ("list_count_a", "list_count_b"),
              ("bold_count_a", "bold_count_b")]


def read_battles(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith(".json"):
            return json.load(f)
        return [json.loads(line) for line in f if line.strip()]


def outcome_of(winner):
    return {"model_a": 1.0, "model_b": 0.0}.get(winner, 0.5)


def neg_log_likelihood(logits, outcomes, weights):
    """Weighted cross-entropy of sigmoid(logits) and its gradient with respect to the logits."""
    # log(sigmoid(z)) = -log(1 + e^-z); log(1 - sigmoid(z)) = -log(1 + e^z)
    loss = np.sum(weights * (outcomes * np.logaddexp(0.0, -logits)
                             + (1.0 - outcomes) * np.logaddexp(0.0, logits)))
    prob = 0.5 * (1.0 + np.tanh(0.5 * logits))
    return loss, weights * (prob - outcomes)


def fit_bt(battles):
    models = sorted({b["model_a"] for b in battles} | {b["model_b"] for b in battles})
    index = {m: i for i, m in enumerate(models)}
    counts = {}
    for b in battles:
        key = (index[b["model_a"]], index[b["model_b"]], outcome_of(b["winner"]))
        counts[key] = counts.get(key, 0) + 1
    rows = np.array([k[:2] for k in counts], dtype=np.int64)
    outcomes = np.array([k[2] for k in counts])
    weights = np.array(list(counts.values()), dtype=np.float64)
    alpha = math.log(BASE)

    def objective(r):
        loss, dlogit = neg_log_likelihood(alpha * (r[rows[:, 0]] - r[rows[:, 1]]), outcomes, weights)
        grad = np.zeros_like(r)
        np.add.at(grad, rows[:, 0], alpha * dlogit)
        np.add.at(grad, rows[:, 1], -alpha * dlogit)
        return loss, grad

    result = minimize(objective, np.zeros(len(models)), jac=True, method="L-BFGS-B",
                      options={"maxiter": 100, "gtol": 1e-6})
    return models, result.x, None


def style_count(meta, key):
    value = meta[key]
    return float(sum(value.values())) if isinstance(value, dict) else float(value)


def fit_style(battles, reg=0.5):
    models = sorted({b["model_a"] for b in battles} | {b["model_b"] for b in battles})
    index = {m: i for i, m in enumerate(models)}
    rows = np.array([(index[b["model_a"]], index[b["model_b"]]) for b in battles], dtype=np.int64)
    outcomes = np.array([outcome_of(b["winner"]) for b in battles])
    a = np.array([[style_count(b["conv_metadata"], ka) for ka, _ in STYLE_KEYS] for b in battles])
    b_ = np.array([[style_count(b["conv_metadata"], kb) for _, kb in STYLE_KEYS] for b in battles])
    diff = (a - b_) / (a + b_ + 1.0)
    std = diff.std(axis=0)
    features = np.where(std > 0, (diff - diff.mean(axis=0)) / np.where(std > 0, std, 1.0), 0.0)
    n, alpha, ones = len(models), math.log(BASE), np.ones(len(battles))

    def objective(params):
        r, beta = params[:n], params[n:]
        logits = alpha * (r[rows[:, 0]] - r[rows[:, 1]]) + features @ beta
        loss, dlogit = neg_log_likelihood(logits, outcomes, ones)
        grad = reg * params
        np.add.at(grad[:n], rows[:, 0], alpha * dlogit)
        np.add.at(grad[:n], rows[:, 1], -alpha * dlogit)
        grad[n:] += features.T @ dlogit
        return loss + 0.5 * reg * float(params @ params), grad

    result = minimize(objective, np.zeros(n + features.shape[1]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 100, "gtol": 1e-6})
    return models, result.x[:n], result.x[n:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("battles")
    parser.add_argument("--anchor", help="MODEL=RATING")
    parser.add_argument("--style-control", action="store_true")
    args = parser.parse_args()
    battles = read_battles(args.battles)
    models, r, coefficients = (fit_style if args.style_control else fit_bt)(battles)
    ratings = r * SCALE + INIT
    if args.anchor:
        name, value = args.anchor.rsplit("=", 1)
        ratings += float(value) - ratings[models.index(name)]
    out = {"ratings": dict(zip(models, ratings.tolist()))}
    if coefficients is not None:
        out["coefficients"] = coefficients.tolist()
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
