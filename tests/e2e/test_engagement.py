"""Engagement events (issue 15, part 2, the features and KPIs): `kseg generate --transactions
--events` writes an /events table (session, product_view, add_to_cart, checkout, email_sent,
email_open, email_click) by persona (bargain hunters browse much and abandon carts, loyal
customers open emails, lapsed ones stopped visiting). kseg computes per customer sessions,
days since the last visit, conversion rate, cart abandonment and email open and click rates up to
--as-of, and each segment's means of them (its engagement KPIs) go into the reports. Checked
against pandas at 1 and 4 ranks; events after --as-of are left out; a bad type label or code is
refused in one line."""
import json
import os
import shutil

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import Checks, Kseg, parse_args

AS_OF = "2024-10-31"
AS_OF_END = int(pd.Timestamp("2024-11-01", tz="UTC").timestamp())
DAY = 86400
TYPES = ["session", "product_view", "add_to_cart", "checkout", "email_sent", "email_open", "email_click"]
FEATURES = ["sessions", "days_since_last_visit", "conversion_rate", "cart_abandonment", "email_open_rate",
            "email_click_rate"]


def read_events(path):
    with h5py.File(path) as f:
        t, e = f["transactions"], f["events"]
        lines = pd.DataFrame({"customer_id": t["customer_id"][:], "timestamp": t["timestamp"][:], "amount": t["amount"][:]})
        labels = list(e["type"].attrs["labels"])
        events = pd.DataFrame({"customer_id": e["customer_id"][:], "timestamp": e["timestamp"][:],
                               "type": np.array(labels)[e["type"][:]]})
        people = pd.DataFrame({"customer_id": f["customers/customer_id"][:], "persona": f["customers/persona"][:]})
    return events, lines, people, labels


def relabel(path, order):
    """The same events with the type codes of another label order."""
    with h5py.File(path, "r+") as f:
        codes = f["events/type"][:]
        old = list(f["events/type"].attrs["labels"])
        f["events/type"][...] = np.array([order.index(old[c]) for c in range(len(old))], dtype=np.int32)[codes]
        f["events/type"].attrs["labels"] = order


def features_by_pandas(events, lines):
    """The definitions of the README, per customer, with pandas."""
    e = events[events.timestamp < AS_OF_END]
    buys = lines[(lines.amount > 0) & (lines.timestamp < AS_OF_END)]
    buy_days = set(zip(buys.customer_id, buys.timestamp // DAY))
    buy_times = buys.groupby("customer_id").timestamp.apply(lambda s: np.sort(s.values))
    sessions = e[e.type == "session"]
    per = pd.DataFrame(index=pd.Index(np.unique(e.customer_id), name="customer_id"))
    per["sessions"] = sessions.groupby("customer_id").size().reindex(per.index).fillna(0)
    per["days_since_last_visit"] = (AS_OF_END - sessions.groupby("customer_id").timestamp.max()) / DAY
    converted = pd.Series([(c, t // DAY) in buy_days for c, t in zip(sessions.customer_id, sessions.timestamp)],
                          index=sessions.index)
    per["conversion_rate"] = converted.groupby(sessions.customer_id).mean()
    carts = e[e.type == "add_to_cart"]

    def abandoned(c, t):
        times = buy_times.get(c)
        if times is None:
            return True
        at = np.searchsorted(times, t)
        return at == len(times) or times[at] >= t + DAY
    per["cart_abandonment"] = pd.Series([abandoned(c, t) for c, t in zip(carts.customer_id, carts.timestamp)],
                                        index=carts.index).groupby(carts.customer_id).mean()
    sent = e[e.type == "email_sent"].groupby("customer_id").size()
    per["email_open_rate"] = e[e.type == "email_open"].groupby("customer_id").size().reindex(sent.index).fillna(0) / sent
    per["email_click_rate"] = e[e.type == "email_click"].groupby("customer_id").size().reindex(sent.index).fillna(0) / sent
    return per


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    data = kseg.path("shop.h5")
    kseg.run("generate", "--transactions", "--events", "--customers", 12000, "--out", data, "--quiet", ranks=2)
    events, lines, people, labels = read_events(data)
    checks.expect(labels == TYPES and set(events.type) == set(TYPES),
                  f"kseg generate --events writes every event type with its labels ({len(events):,} events)")
    alone = kseg.path("alone.h5")
    kseg.run("generate", "--transactions", "--events", "--customers", 12000, "--out", alone, "--quiet", ranks=1)
    with h5py.File(data) as a, h5py.File(alone) as b:
        checks.expect(all(a["events"][n][:].tobytes() == b["events"][n][:].tobytes() for n in ["customer_id", "timestamp", "type"]),
                      "the events are the same generated on 1 and 2 ranks")
    reports = {}
    for ranks in (1, 4):
        out = kseg.path(f"q{ranks}.h5")
        run = kseg.run("run", "--input", data, "--out", out, "--as-of", AS_OF, "--k", 5, ranks=ranks)
        reports[ranks] = json.load(open(out.replace(".h5", ".report.json")))
    checks.expect("events    " in run.stderr, "the run reads the events and says how many")
    kpis = {r: [[s["mean"][f] for f in FEATURES] for s in reports[r]["segments"]] for r in (1, 4)}
    checks.expect(kpis[1] == kpis[4], "the engagement KPIs are the same at 1 and 4 ranks")
    per = features_by_pandas(events, lines)
    with h5py.File(kseg.path("q1.h5")) as f:
        segment = pd.Series(f["segments/segment"][:], index=f["segments/customer_id"][:])
    per["segment"] = segment.reindex(per.index)
    want = per.groupby("segment")[FEATURES].mean()
    got = pd.DataFrame({s["segment"]: s["mean"] for s in reports[1]["segments"]}).T[FEATURES]
    error = (got.loc[want.index] - want).abs().max().max()
    checks.expect(error < 1e-4, f"each segment's engagement means equal pandas' per-customer features (max error {error:.2e})")
    per["persona"] = people.set_index("customer_id").persona.reindex(per.index)
    customers = lines[(lines.amount > 0) & (lines.timestamp < AS_OF_END)].customer_id.unique()
    by_persona = per[per.index.isin(customers)].groupby("persona")[FEATURES].mean()  # who had bought by --as-of
    checks.expect(by_persona.cart_abandonment.idxmax() == 1 and by_persona.email_open_rate.idxmax() == 0
                  and by_persona.days_since_last_visit.idxmax() == 3,
                  "bargain hunters abandon most carts, loyal customers open most emails, lapsed ones stopped visiting")
    relabelled = kseg.path("relabelled.h5")
    shutil.copy(data, relabelled)
    relabel(relabelled, list(reversed(TYPES)))
    out = kseg.path("relabelled_result.h5")
    kseg.run("run", "--input", relabelled, "--out", out, "--as-of", AS_OF, "--k", 5, "--quiet", ranks=2)
    again = json.load(open(out.replace(".h5", ".report.json")))
    checks.expect([[s["mean"][f] for f in FEATURES] for s in again["segments"]] == kpis[1],
                  "type labels are matched by name: the same events coded in another order give the same KPIs")
    html = open(kseg.path("q1.report.html")).read()
    checks.expect("cart abandonment" in html and "email open rate" in html and "visits per customer" in html,
                  "the segment table shows the engagement KPIs by name")

    bad = kseg.path("bad.h5")
    for mutate, says in [(lambda g: g["type"].attrs.__setitem__("labels", ["click"] + TYPES[1:]), "'click' is not an event type"),
                         (lambda g: g["type"].__setitem__(0, 99), "/events/type row 0")]:
        shutil.copy(data, bad)
        with h5py.File(bad, "r+") as f:
            mutate(f["events"])
        out = kseg.path("bad_result.h5")
        failed = kseg.run("run", "--input", bad, "--out", out, "--as-of", AS_OF, "--k", 5, "--quiet", ranks=2,
                          check=False)
        lines_out = [l for l in failed.stderr.splitlines() if l.startswith("kseg:")]
        checks.expect(failed.returncode != 0 and len(lines_out) == 1 and says in lines_out[0] and not os.path.exists(out),
                      f"bad events are refused in one line, nothing written ({lines_out})")
    checks.finish()


if __name__ == "__main__":
    main()
