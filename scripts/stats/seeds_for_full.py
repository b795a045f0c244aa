#!/usr/bin/env python3
"""How many seeds the full profile needs so that no judged claim sits on the edge of its threshold.

Run from the repository root after the quick profiles:  python3 scripts/stats/seeds_for_full.py
For each claim in output/*/*/results.json it takes the committed per-seed values on the claim's
scale (logs on the log scale; ordinal claims have no interval and are skipped), their standard
deviation s, and the distance d between the centre and the threshold, and prints the smallest seed
count n <= 20 whose expected 95 % half-width t(0.975, n-1) * s / sqrt(n) is at most d / 2, so that
the interval clears the threshold with room for the spread of another machine. A claim whose centre
lies on the threshold, or that needs more than 20 seeds, is listed as on the edge: more seeds do
not decide it, and the chapter says so next to its verdict.
"""
import glob
import json
import math

from scipy import stats


def analysis(values, scale, threshold):
    if scale == "log":
        if min(values) <= 0 or threshold <= 0 or not all(map(math.isfinite, values)):
            return None
        return [math.log(v) for v in values], math.log(threshold)
    return values, threshold


def main():
    rows, needed = [], []
    for path in sorted(glob.glob("output/*/*/results.json")):
        result = json.load(open(path))
        for claim in result["claims"]:
            scale = claim.get("scale", claim["rule"].get("scale", "linear"))
            if scale == "ordinal":
                rows.append((result["experiment"], claim["id"], "ordinal: every seed must hold; no interval"))
                continue
            a = analysis(claim["per_seed"], scale, claim["rule"]["threshold"])
            if a is None:
                rows.append((result["experiment"], claim["id"], "zero or infinite values: spread unknown"))
                continue
            x, t = a
            m = sum(x) / len(x)
            s = math.sqrt(sum((v - m) ** 2 for v in x) / (len(x) - 1)) if len(x) > 1 else float("inf")
            d = abs(m - t)
            n = next((n for n in range(2, 21) if stats.t.ppf(0.975, n - 1) * s / math.sqrt(n) <= d / 2), None)
            if s == 0:
                n = 2
            rows.append((result["experiment"], claim["id"], f"{n} seeds" if n else "on the edge: more than 20 seeds"))
            if n:
                needed.append(n)
    for e, c, text in rows:
        print(f"{e}#{c}: {text}")
    print(f"largest seed count needed by a decidable claim: {max(needed) if needed else 'none'}")


if __name__ == "__main__":
    main()
