"""`kseg campaign plan` and `kseg campaign measure` on a synthetic retailer with a known uplift.

A retailer is generated and segmented; a plan holds out 20% of every segment, at 1 and at 4 ranks
(the same control group; exactly round(0.2 x n) per segment). The retailer is generated again
with `--uplift-*`: the treated customers of one segment get, each with chance 0.3, an extra order
after 2024-07-01, so their true conversion lift over 2024-07-01..2024-12-31 is 0.3 x (1 - the
control's conversion); every other customer's lines are unchanged. Measured at 1 and 4 ranks
(identical outputs), the known lift lies in that segment's 95% interval and is significant, while
a segment without uplift shows an interval around 0; every figure equals pandas' (and scipy's
where it is installed) from the HDF5 files. The page renders in headless Chromium. Bad inputs
stop every rank with one line, exit 2 and leave nothing behind."""
import json
import os
import subprocess

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import Checks, Kseg, digest, parse_args

CUSTOMERS = 60000
SHARE = 0.2
UPLIFT = 0.3
WINDOW = ("2024-07-01", "2024-12-31")


def plan_table(path):
    with h5py.File(path, "r") as f:
        p = f["plan"]
        return pd.DataFrame({"segment": p["segment"][:], "group": p["group"][:]}, index=p["customer_id"][:])


def lines_of(path):
    with h5py.File(path, "r") as f:
        t = f["transactions"]
        return pd.DataFrame({name: t[name][:] for name in ("customer_id", "timestamp", "amount", "order_id")})


def campaign(path):
    with h5py.File(path, "r") as f:
        c = f["campaign"]
        return pd.DataFrame({name: c[name][:] for name in c if name != "name"}).set_index("segment")


def expected_figures(plan, lines):
    """Per segment and group, from the files alone: customers, conversions, orders, revenue."""
    begin = pd.Timestamp(WINDOW[0], tz="UTC").value // 10**9
    end = pd.Timestamp(WINDOW[1], tz="UTC").value // 10**9 + 86400
    window = lines[(lines.timestamp >= begin) & (lines.timestamp < end)]
    bought = window[window.amount > 0]
    per_customer = pd.DataFrame({"revenue": window.groupby("customer_id").amount.sum(),
                                 "orders": bought.groupby("customer_id").order_id.nunique()})
    table = plan.join(per_customer).fillna({"revenue": 0.0, "orders": 0})
    table["converted"] = table.orders > 0
    return table


def welch(a, b):
    """Welch's t-test and 95% interval of mean(a) - mean(b), with scipy when it is there."""
    try:
        from scipy import stats
    except ImportError:
        return None
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = stats.t.ppf(0.975, df) * np.sqrt(va + vb)
    d = a.mean() - b.mean()
    return stats.ttest_ind(a, b, equal_var=False).pvalue, d - half, d + half


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def check_figures(checks, measured, table):
    for segment, rows in list(table.groupby("segment")) + [(-1, table)]:
        got = measured.loc[segment]
        t, c = rows[rows.group == 0], rows[rows.group == 1]
        counts = [len(t), len(c), t.converted.sum(), c.converted.sum(), t.orders.sum(), c.orders.sum()]
        names = ["treated_customers", "control_customers", "treated_converted", "control_converted",
                 "treated_orders", "control_orders"]
        checks.expect([int(got[n]) for n in names] == [int(v) for v in counts],
                      f"segment {segment}: customers, conversions and orders are pandas' {counts}")
        pt, pc = t.converted.mean(), c.converted.mean()
        se = np.sqrt(pt * (1 - pt) / len(t) + pc * (1 - pc) / len(c))
        pooled = (t.converted.sum() + c.converted.sum()) / len(rows)
        z = (pt - pc) / np.sqrt(pooled * (1 - pooled) * (1 / len(t) + 1 / len(c)))
        from math import erfc, sqrt
        conversion = [pt - pc, pt - pc - 1.959963984540054 * se, pt - pc + 1.959963984540054 * se, erfc(abs(z) / sqrt(2))]
        checks.expect(all(close(got[n], v) for n, v in zip(
            ["conversion_lift", "conversion_lift_low", "conversion_lift_high", "conversion_p_value"], conversion)),
            f"segment {segment}: conversion lift, interval and p-value are pandas' {np.round(conversion, 5)}")
        revenue = [t.revenue.mean(), c.revenue.mean(), (t.revenue.mean() - c.revenue.mean()) * len(t)]
        checks.expect(all(close(got[n], v, 1e-7) for n, v in zip(
            ["revenue_per_customer_treated", "revenue_per_customer_control", "incremental_revenue"], revenue)),
            f"segment {segment}: revenue per customer and incremental revenue are pandas' {np.round(revenue, 3)}")
        test = welch(t.revenue.to_numpy(), c.revenue.to_numpy())
        if test is not None:
            checks.expect(all(close(got[n], v, 1e-6) for n, v in zip(
                ["revenue_p_value", "revenue_difference_low", "revenue_difference_high"], test)),
                f"segment {segment}: Welch p-value and interval are scipy's {np.round(test, 4)}")


def outputs_of(kseg, stem):
    return [kseg.path(stem + ext) for ext in (".h5", ".json", ".csv", ".html")]


def measure(kseg, plan, transactions, stem, ranks):
    kseg.run("campaign", "measure", "--plan", plan, "--transactions", transactions, "--from", WINDOW[0],
             "--to", WINDOW[1], "--out", kseg.path(stem + ".h5"), "--quiet", ranks=ranks)
    return outputs_of(kseg, stem)


def check_page(kseg, checks, page):
    html = open(page).read()
    checks.expect("<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
                  and "https://" not in html, "the page is self-contained (no scripts, nothing fetched)")
    checks.expect(html.count("<svg") == 2 and "all segments" in html, "the page holds the two interval charts")
    shot = kseg.path("campaign.png")
    render = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                             "--window-size=1400,1200", f"file://{page}"], capture_output=True, text=True, timeout=120)
    if render.returncode != 0 or not os.path.exists(shot):
        checks.expect(False, f"Chromium renders the page ({render.stderr[-300:]})")
        return
    from PIL import Image
    pixels = list(Image.open(shot).convert("RGB").getdata())
    ink = sum(1 for p in pixels if p != (255, 255, 255)) / len(pixels)
    checks.expect(ink > 0.02 and len(set(pixels)) > 20, f"the rendered page is not blank ({100 * ink:.1f}% ink)")


def check_refused(kseg, checks, label, arguments, needle, ranks=4, leaves=()):
    before = set(os.listdir(kseg.workdir))
    done = kseg.run(*arguments, ranks=ranks, check=False)
    lines = [line for line in done.stderr.splitlines() if line.startswith("kseg:")]
    left = set(os.listdir(kseg.workdir)) - before - set(leaves)
    checks.expect(done.returncode == 2 and len(lines) == 1 and needle in lines[0] and not left,
                  f"{label}: exit 2, one line naming it, nothing left behind ({done.returncode}: {lines} {sorted(left)})")


def check_bad_inputs(kseg, checks, result, plan, transactions):
    out = kseg.path("bad.h5")
    with open(kseg.path("notes.txt"), "w") as f:
        f.write("not hdf5\n")
    plan_args = ["campaign", "plan", "--name", "x", "--out", out, "--quiet"]
    check_refused(kseg, checks, "a missing result", plan_args + ["--result", kseg.path("nope.h5")], "nope.h5: no such file")
    check_refused(kseg, checks, "a result that is not HDF5", plan_args + ["--result", kseg.path("notes.txt")], "notes.txt")
    check_refused(kseg, checks, "a transactions file as result", plan_args + ["--result", transactions],
                  "not a kseg result")
    for share in ("0", "1", "1.5", "-0.1"):
        check_refused(kseg, checks, f"--control-share {share}", plan_args + ["--result", result, "--control-share", share],
                      "--control-share")
    kept = digest(plan)
    check_refused(kseg, checks, "an existing plan without --force",
                  ["campaign", "plan", "--result", result, "--name", "spring", "--out", plan, "--quiet"], plan)
    checks.expect(digest(plan) == kept, "the earlier plan is untouched")

    measure_args = ["campaign", "measure", "--out", out, "--quiet"]
    window = ["--from", WINDOW[0], "--to", WINDOW[1]]
    check_refused(kseg, checks, "--from after --to", measure_args + ["--plan", plan, "--transactions", transactions,
                  "--from", "2024-08-01", "--to", "2024-07-01"], "--from 2024-08-01 is after --to 2024-07-01")
    check_refused(kseg, checks, "a bad date", measure_args + ["--plan", plan, "--transactions", transactions,
                  "--from", "2024-13-01", "--to", "2024-12-31"], "--from 2024-13-01: not a date")
    check_refused(kseg, checks, "a missing plan", measure_args + ["--plan", kseg.path("none.h5"),
                  "--transactions", transactions] + window, "none.h5: no such file")
    check_refused(kseg, checks, "a result as plan", measure_args + ["--plan", result, "--transactions", transactions]
                  + window, "not a kseg campaign plan")
    check_refused(kseg, checks, "a plan as transactions", measure_args + ["--plan", plan, "--transactions", plan]
                  + window, "missing dataset /transactions/customer_id")
    with h5py.File(kseg.path("broken_plan.h5"), "w") as f:
        with h5py.File(plan, "r") as g:
            for name in ("customer_id", "segment"):
                f[f"plan/{name}"] = g[f"plan/{name}"][:]
            f["plan/group"] = np.full(len(g["plan/group"]), 2, dtype=np.int8)
            for key, value in g.attrs.items():
                f.attrs[key] = value
    check_refused(kseg, checks, "a plan whose groups are not 0/1", measure_args + ["--plan", kseg.path("broken_plan.h5"),
                  "--transactions", transactions] + window, "/plan/group row 0")
    uplift_args = ["generate", "--transactions", "--customers", 1000, "--out", out, "--uplift-plan", plan, "--quiet"]
    for label, options, needle in (
            ("an unknown uplift segment", [99, WINDOW[0], 0.3], "--uplift-segment 99: not a segment of"),
            ("an uplift chance of 1.5", [0, WINDOW[0], 1.5], "--uplift 1.5: must be a chance"),
            ("an uplift day outside the window", [0, "2026-01-01", 0.3], "--uplift-from 2026-01-01: not a day from")):
        check_refused(kseg, checks, label, uplift_args + ["--uplift-segment", options[0], "--uplift-from", options[1],
                                                          "--uplift", options[2]], needle)


def main():
    args = parse_args()
    kseg = Kseg(args)
    checks = Checks()
    retail, result = kseg.path("retail.h5"), kseg.path("segments.h5")
    kseg.run("generate", "--transactions", "--customers", CUSTOMERS, "--seed", 11, "--out", retail, "--quiet", ranks=2)
    kseg.run("run", "--input", retail, "--as-of", "2024-06-30", "--k", 4, "--device", "cpu", "--out", result,
             "--quiet", ranks=2)

    plans = {}
    for ranks in (1, 4):
        plans[ranks] = kseg.path(f"plan{ranks}.h5")
        kseg.run("campaign", "plan", "--result", result, "--name", "summer-2024", "--control-share", SHARE,
                 "--out", plans[ranks], "--quiet", ranks=ranks)
    plan = plan_table(plans[1])
    checks.expect(plan.equals(plan_table(plans[4])) and digest(kseg.path("plan1.csv")) == digest(kseg.path("plan4.csv")),
                  "1 and 4 ranks hold out the same customers (HDF5 and CSV)")
    with h5py.File(result, "r") as f:
        checks.expect(np.array_equal(plan.index.to_numpy(), f["segments/customer_id"][:]) and
                      np.array_equal(plan.segment.to_numpy(), f["segments/segment"][:]),
                      "the plan lists the result's customers and segments in its order")
    sizes = plan.groupby("segment").group.agg(["size", "sum"])
    checks.expect(all(row["sum"] == np.floor(SHARE * row["size"] + 0.5) for _, row in sizes.iterrows()),
                  f"each segment's control group is exactly round(0.2 x n): {sizes['sum'].tolist()} of {sizes['size'].tolist()}")
    csv = pd.read_csv(kseg.path("plan1.csv"))
    checks.expect(list(csv.columns) == ["customer_id", "segment", "group"] and
                  np.array_equal(csv.customer_id, plan.index) and
                  (csv.group == np.where(plan.group.to_numpy() == 1, "control", "treated")).all(),
                  "the CSV says treated/control for every customer")

    # The segment the campaign works on: the largest; the one to compare with: the next largest.
    order = sizes["size"].sort_values(ascending=False).index.tolist()
    target, other = int(order[0]), int(order[1])
    uplifted = kseg.path("retail_uplift.h5")
    kseg.run("generate", "--transactions", "--customers", CUSTOMERS, "--seed", 11, "--out", uplifted,
             "--uplift-plan", plans[1], "--uplift-segment", target, "--uplift-from", WINDOW[0], "--uplift", UPLIFT,
             "--quiet", ranks=2)
    base_lines, up_lines = lines_of(retail), lines_of(uplifted)
    reached = plan[(plan.segment == target) & (plan.group == 0)].index
    same = lambda lines: lines[~lines.customer_id.isin(reached)].reset_index(drop=True)
    checks.expect(same(base_lines).equals(same(up_lines)),
                  "every customer outside the treated target segment has exactly the lines they had without uplift")
    extra = up_lines.order_id.nunique() - base_lines.order_id.nunique()
    checks.expect(abs(extra / len(reached) - UPLIFT) < 0.03, f"about {UPLIFT:.0%} of the reached customers got an extra "
                  f"order ({extra} of {len(reached)})")

    outputs = {ranks: measure(kseg, plans[1], uplifted, f"measure{ranks}", ranks) for ranks in (1, 4)}
    checks.expect(campaign(outputs[1][0]).equals(campaign(outputs[4][0])) and
                  all(digest(a) == digest(b) for a, b in zip(outputs[1][1:], outputs[4][1:])),
                  "1 and 4 ranks measure identical figures (HDF5, JSON, CSV, HTML)")
    measured = campaign(outputs[1][0])
    table = expected_figures(plan, up_lines)
    check_figures(checks, measured, table)

    got = measured.loc[target]
    known = UPLIFT * (1 - got.conversion_control)
    checks.expect(got.conversion_lift_low <= known <= got.conversion_lift_high and got.conversion_p_value < 1e-3,
                  f"segment {target}: the known lift {known:.4f} is in the 95% interval [{got.conversion_lift_low:.4f}, "
                  f"{got.conversion_lift_high:.4f}] (measured {got.conversion_lift:.4f}, p = {got.conversion_p_value:.2g})")
    print(f"recovered uplift: segment {target} measured {got.conversion_lift:.4f} "
          f"[{got.conversion_lift_low:.4f}, {got.conversion_lift_high:.4f}], known {known:.4f}; "
          f"incremental revenue {got.incremental_revenue:.2f}")
    calm = measured.loc[other]
    checks.expect(calm.conversion_lift_low <= 0 <= calm.conversion_lift_high and
                  calm.revenue_difference_low <= 0 <= calm.revenue_difference_high,
                  f"segment {other} (no uplift): both intervals contain 0 (conversion [{calm.conversion_lift_low:.4f}, "
                  f"{calm.conversion_lift_high:.4f}], revenue [{calm.revenue_difference_low:.2f}, {calm.revenue_difference_high:.2f}])")
    report = json.load(open(outputs[1][1]))
    checks.expect(report["name"] == "summer-2024" and len(report["segments"]) == len(sizes) and
                  report["total"]["segment"] == -1 and report["total"]["treated_customers"] == int((plan.group == 0).sum()),
                  "report JSON: the campaign, one entry per segment and the total")
    check_page(kseg, checks, outputs[1][3])

    check_bad_inputs(kseg, checks, result, plans[1], retail)
    checks.finish()


if __name__ == "__main__":
    main()
