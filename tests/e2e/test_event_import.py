"""kseg import --events (issue 15, part 2, the import): a clickstream and email export in CSV, as
a web-analytics or marketing tool writes it (its own names for some event types, times ending in
" UTC", rows in any order, a campaign column, broken rows), is added to a transactions file as
/events. The imported table equals the generated events it was exported from, so the run's
engagement KPIs equal those of the generated file; broken rows are skipped and counted by reason;
a failed or refused import leaves the file as it was, under mpiexec too."""
import json
import os
import shutil

import h5py
import numpy as np
import pandas as pd

from kseg_e2e import Checks, Kseg, digest, parse_args
from test_engagement import AS_OF, FEATURES, TYPES, read_events

# The export's own names for two types, and a mixed case that must not matter.
EXPORT_NAMES = {"session": "Session", "product_view": "view", "add_to_cart": "cart", "checkout": "checkout",
                "email_sent": "email_sent", "email_open": "EMAIL_OPEN", "email_click": "email_click"}
MAPPING = ["--customer", "user_id", "--timestamp", "event_time", "--type", "event_type",
           "--type-names", "view=product_view,cart=add_to_cart", "--campaign", "utm_campaign"]
BROKEN_ROWS = {"missing_customer_id": ",2024-03-01 10:00:00 UTC,Session,",
               "bad_timestamp": "17,2024-02-30 10:00:00 UTC,Session,",
               "unknown_event_type": "17,2024-03-01 10:00:00 UTC,remove_from_cart,",
               "wrong_field_count": "17,2024-03-01 10:00:00 UTC"}


def export_csv(events, path, broken=()):
    """The events as a clickstream tool exports them, shuffled, with `broken` rows in between."""
    shuffled = events.sample(frac=1.0, random_state=3)
    frame = pd.DataFrame({
        "user_id": shuffled.customer_id,
        "event_time": pd.to_datetime(shuffled.timestamp, unit="s").dt.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "event_type": shuffled.type.map(EXPORT_NAMES),
        "utm_campaign": np.where(shuffled.type.str.startswith("email"), "autumn_newsletter", "")})
    lines = frame.to_csv(index=False).splitlines()
    for i, row in enumerate(broken):
        lines.insert(1 + (i + 1) * len(lines) // (len(broken) + 1), row)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def sorted_events(path):
    """The /events of a file as (customer, time, type name) rows in one order."""
    with h5py.File(path) as f:
        e = f["events"]
        names = np.array(e["type"].attrs["labels"])[e["type"][:]]
        rows = pd.DataFrame({"customer_id": e["customer_id"][:], "timestamp": e["timestamp"][:], "type": names})
    return rows.sort_values(list(rows.columns)).reset_index(drop=True)


def kpis(kseg, data, ranks):
    out = kseg.path(f"kpis_{os.path.basename(data)[:-3]}_{ranks}.h5")
    kseg.run("run", "--input", data, "--out", out, "--as-of", AS_OF, "--k", 4, "--quiet", ranks=ranks)
    report = json.load(open(out.replace(".h5", ".report.json")))
    return [[s["mean"][f] for f in FEATURES] for s in report["segments"]]


def refused(kseg, checks, arguments, says, target, what, ranks=2):
    """The import fails with one line that says `says`, and `target` is as it was."""
    before = digest(target) if os.path.exists(target) else None
    failed = kseg.run("import", *arguments, "--quiet", ranks=ranks, check=False)
    errors = [line for line in failed.stderr.splitlines() if line.startswith("kseg:")]
    after = digest(target) if os.path.exists(target) else None
    left = [name for name in os.listdir(os.path.dirname(target)) if name.endswith((".partial", ".lock"))]
    checks.expect(failed.returncode == 2 and len(errors) == 1 and says in errors[0] and before == after and not left,
                  f"{what}: exit 2, one line, the file untouched, nothing left ({errors}, {failed.returncode})")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    generated = kseg.path("generated.h5")
    kseg.run("generate", "--transactions", "--events", "--customers", 3000, "--out", generated, "--quiet", ranks=1)
    events, _, _, _ = read_events(generated)
    shop = kseg.path("shop.h5")
    shutil.copy(generated, shop)
    with h5py.File(shop, "r+") as f:
        del f["events"]
    export = kseg.path("clicks.csv")
    export_csv(events, export, BROKEN_ROWS.values())

    done = kseg.run("import", "--events", export, "--into", shop, *MAPPING, "--json", ranks=2)
    summary = json.loads(done.stdout)
    checks.expect(summary["rows_read"] == len(events) + len(BROKEN_ROWS) and summary["rows_kept"] == len(events),
                  f"every event is kept ({summary['rows_kept']:,} of {summary['rows_read']:,} rows)")
    checks.expect(all(summary["skipped"][reason] == 1 for reason in BROKEN_ROWS) and summary["rows_skipped"] == 4,
                  f"each broken row is skipped and counted by its reason ({summary['skipped']})")
    checks.expect(summary["events_by_type"] == events.type.value_counts().reindex(TYPES).astype(int).to_dict(),
                  "the summary counts the events of each type")
    checks.expect("line " in done.stderr and "unknown event type (event_type = 'remove_from_cart')" in done.stderr,
                  "the log names the skipped rows by line and value")
    checks.expect(sorted_events(shop).equals(sorted_events(generated)),
                  "/events holds exactly the exported events: renamed and mixed-case types, ' UTC' times")
    with h5py.File(shop) as f, h5py.File(generated) as g:
        checks.expect(all(f["transactions"][n][:].tobytes() == g["transactions"][n][:].tobytes() for n in g["transactions"])
                      and all(f["customers"][n][:].tobytes() == g["customers"][n][:].tobytes() for n in g["customers"]),
                      "the order lines and customers of the file are kept as they were")
        campaign = f["events/campaign"]
        kinds = np.array(f["events/type"].attrs["labels"])[f["events/type"][:]]
        checks.expect(list(campaign.attrs["labels"]) == ["autumn_newsletter"]
                      and np.array_equal(campaign[:] == 0, np.char.startswith(kinds.astype(str), "email")),
                      "the campaign column: codes with labels, -1 for events outside any campaign")
        checks.expect(f["events"].attrs["rows_kept"] == len(events) and "type-names" in f["events"].attrs["config"],
                      "/events records where it came from (rows, options)")
    expected = kpis(kseg, generated, 1)
    checks.expect(kpis(kseg, shop, 4) == expected and kpis(kseg, shop, 1) == expected,
                  "the imported events give the generated file's engagement KPIs, at 1 and 4 ranks")

    refused(kseg, checks, ["--events", export, "--into", shop, *MAPPING], "already has /events (pass --force",
            shop, "a file that has events already")
    strict = kseg.path("strict.csv")
    export_csv(events.head(50), strict, [BROKEN_ROWS["bad_timestamp"]])
    refused(kseg, checks, ["--events", strict, "--into", shop, *MAPPING, "--force", "--strict"],
            "bad timestamp (event_time = '2024-02-30 10:00:00 UTC'); --strict", shop, "--strict at a broken row")
    features = kseg.generate("features.h5", 100, 2, 2)
    refused(kseg, checks, ["--events", export, "--into", features, *MAPPING], "has no /transactions", features,
            "a file without order lines")
    refused(kseg, checks, ["--events", export, "--into", shop, *MAPPING, "--force", "--type-names", "view=pageview"],
            "pageview", shop, "a rename to no event type")
    refused(kseg, checks, ["--events", export, "--into", shop, "--customer", "user_id", "--timestamp", "event_time",
                           "--force"], "--type is required", shop, "no type column")
    refused(kseg, checks, ["--events", export, "--into", shop, *MAPPING, "--force", "--amount", "3"],
            "--amount is a column of order lines", shop, "an order-line column with events")
    refused(kseg, checks, ["--events", export, "--customer", "user_id"], "--into is required", shop, "no --into")

    half = kseg.path("half.csv")
    export_csv(events.head(len(events) // 2), half)
    kseg.run("import", "--events", half, "--into", shop, *MAPPING, "--force", "--quiet", ranks=1)
    first_half = events.head(len(events) // 2).sort_values(["customer_id", "timestamp", "type"]).reset_index(drop=True)
    checks.expect(sorted_events(shop).equals(first_half), "--force replaces the events the file had")
    checks.finish()


if __name__ == "__main__":
    main()
