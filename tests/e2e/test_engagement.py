"""Engagement events (issue 15, part 2, the features and KPIs): an /events table (session,
product_view, add_to_cart, checkout, email_sent, email_open, email_click) beside a generated
retailer's transactions, written here by persona (bargain hunters browse much and abandon carts,
loyal customers open emails, lapsed ones stopped visiting). kseg computes per customer sessions,
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
# per persona (synthetic retailer order): browse sessions, their chance of a cart, email open chance
BROWSE = [1, 8, 1, 2, 1, 3]
CART = [0.2, 0.7, 0.2, 0.2, 0.2, 0.3]
OPEN = [0.6, 0.3, 0.15, 0.03, 0.25, 0.35]


def write_events(path, seed=5):
    rng = np.random.default_rng(seed)
    with h5py.File(path, "r+") as f:
        t = f["transactions"]
        lines = pd.DataFrame({"customer_id": t["customer_id"][:], "timestamp": t["timestamp"][:],
                              "amount": t["amount"][:], "order_id": t["order_id"][:]})
        people = pd.DataFrame({"customer_id": f["customers/customer_id"][:], "persona": f["customers/persona"][:]})
    orders = lines[lines.amount > 0].groupby("order_id").agg(customer_id=("customer_id", "first"),
                                                              time=("timestamp", "min")).reset_index(drop=True)
    rows = []
    for offset, kind in [(-600, "session"), (-500, "product_view"), (-300, "add_to_cart"), (0, "checkout")]:
        rows.append(pd.DataFrame({"customer_id": orders.customer_id, "timestamp": orders.time + offset, "type": kind}))
    last_order = orders.groupby("customer_id").time.max()
    p = people.set_index("customer_id").persona
    p = p[p.index.isin(orders.customer_id)]  # a customer's visits start a month before their first order
    since = (orders.groupby("customer_id").time.min() - 30 * DAY).reindex(p.index)
    end = int(lines.timestamp.max())
    browse_ids = np.repeat(p.index.values, np.array(BROWSE)[p.values])
    personas = p.loc[browse_ids].values
    until = np.where(personas == 3, last_order.reindex(browse_ids).values, end)  # lapsed: no visits after
    start = since.reindex(browse_ids).values
    times = (start + rng.random(len(browse_ids)) * (until - start)).astype(np.int64)
    rows.append(pd.DataFrame({"customer_id": browse_ids, "timestamp": times, "type": "session"}))
    carts = rng.random(len(browse_ids)) < np.array(CART)[personas]
    rows.append(pd.DataFrame({"customer_id": browse_ids[carts], "timestamp": times[carts] + 120, "type": "add_to_cart"}))
    sends = np.arange(AS_OF_END - 280 * DAY, end, 14 * DAY)
    mail_ids = np.repeat(p.index.values, len(sends))
    mail_times = np.tile(sends, len(p))
    subscribed = mail_times >= since.reindex(mail_ids).values
    mail_ids, mail_times = mail_ids[subscribed], mail_times[subscribed]
    opened = rng.random(len(mail_ids)) < np.array(OPEN)[p.loc[mail_ids].values]
    clicked = opened & (rng.random(len(mail_ids)) < 0.3)
    rows += [pd.DataFrame({"customer_id": mail_ids, "timestamp": mail_times, "type": "email_sent"}),
             pd.DataFrame({"customer_id": mail_ids[opened], "timestamp": mail_times[opened] + 3600, "type": "email_open"}),
             pd.DataFrame({"customer_id": mail_ids[clicked], "timestamp": mail_times[clicked] + 3700, "type": "email_click"})]
    events = pd.concat(rows).sample(frac=1, random_state=1).reset_index(drop=True)  # any row order
    labels = ["email_click", "session", "checkout", "product_view", "add_to_cart", "email_sent", "email_open"]
    with h5py.File(path, "r+") as f:
        g = f.create_group("events")
        g["customer_id"] = events.customer_id.values.astype(np.int64)
        g["timestamp"] = events.timestamp.values.astype(np.int64)
        g["type"] = events.type.map({l: i for i, l in enumerate(labels)}).values.astype(np.int32)
        g["type"].attrs["labels"] = labels  # the file's own code order: matched by name
    return events, lines, people


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
    kseg.run("generate", "--transactions", "--customers", 12000, "--out", data, "--quiet", ranks=2)
    events, lines, people = write_events(data)
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
