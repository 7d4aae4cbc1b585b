"""`kseg generate --transactions`: the same file, bit for bit, from 1, 2 and 4 ranks; every column
readable with h5py in its documented dtype; and customers who behave as their persona says, seen
through pandas as a user would."""
import h5py
import numpy as np
import pandas as pd

from kseg_e2e import Checks, Kseg, parse_args

CUSTOMERS = 20000
DAY = 86400
START, END = pd.Timestamp("2023-01-01", tz="UTC"), pd.Timestamp("2025-01-01", tz="UTC")  # --end 2024-12-31
DTYPES = {
    "transactions/customer_id": np.int64, "transactions/timestamp": np.int64, "transactions/amount": np.float64,
    "transactions/order_id": np.int64, "transactions/quantity": np.int32, "transactions/category": np.int32,
    "transactions/channel": np.int32, "transactions/discount": np.float64,
    "customers/customer_id": np.int64, "customers/persona": np.int32, "customers/acquisition_cost": np.float64,
}


def read(path):
    with h5py.File(path, "r") as f:
        arrays = {name: f[name][:] for name in DTYPES}
        labels = {name: list(f[name].attrs["labels"]) if "labels" in f[name].attrs else None
                  for name in ("transactions/category", "transactions/channel", "customers/persona")}
        return arrays, labels, dict(f.attrs)


def frames(arrays, labels):
    rows = pd.DataFrame({name.split("/")[1]: values for name, values in arrays.items() if name.startswith("transactions/")})
    customers = pd.DataFrame({name.split("/")[1]: values for name, values in arrays.items() if name.startswith("customers/")})
    customers["persona"] = pd.Categorical.from_codes(customers["persona"], labels["customers/persona"])
    return rows.merge(customers[["customer_id", "persona"]], on="customer_id"), customers


def check_file(checks, arrays, labels, attrs):
    for name, dtype in DTYPES.items():
        checks.expect(arrays[name].dtype == dtype, f"{name} is {np.dtype(dtype).name} (got {arrays[name].dtype})")
    checks.expect(labels["transactions/category"] is not None and len(labels["transactions/category"]) == 12,
                  f"12 category labels: {labels['transactions/category']}")
    checks.expect(labels["transactions/channel"] == ["web", "store", "app"], f"channel labels {labels['transactions/channel']}")
    checks.expect(labels["customers/persona"] == ["loyal_high_spender", "bargain_hunter", "one_time_buyer", "lapsed",
                                                 "seasonal", "new_customer"], f"persona labels {labels['customers/persona']}")
    checks.expect(attrs.get("seed") == 3 and attrs.get("start") == "2023-01-01", f"root attributes record the run: {attrs}")
    checks.expect(np.array_equal(arrays["customers/customer_id"], 1000001 + np.arange(CUSTOMERS)),
                  "customers are 1000001, 1000002, ... in order")


def check_behaviour(checks, rows, customers):
    when = pd.to_datetime(rows.timestamp, unit="s", utc=True)
    checks.expect(when.min() >= START and when.max() < END, f"timestamps within the window: {when.min()} .. {when.max()}")
    checks.expect(rows.groupby("customer_id").timestamp.apply(lambda t: t.is_monotonic_increasing).all(),
                  "each customer's rows are in time order")
    returns = rows.quantity < 0
    checks.expect(((rows.amount < 0) == returns).all() and (rows.quantity != 0).all(),
                  f"returns ({returns.mean():.1%} of rows) and only they have negative quantity and amount")
    checks.expect((rows.order_id // 1000 == rows.customer_id).all(), "order ids are unique to their customer")
    checks.expect(customers.acquisition_cost.gt(0).all(), "acquisition costs are positive")

    shares = customers.persona.value_counts(normalize=True)
    checks.expect(shares.max() > 2 * shares.min(), f"persona shares are unequal: {shares.round(3).to_dict()}")
    spend = rows.groupby(["persona", "customer_id"], observed=True).amount.sum().groupby("persona", observed=True).mean()
    checks.expect(spend.idxmax() == "loyal_high_spender", f"loyal high spenders spend most per customer: {spend.round(0).to_dict()}")

    purchases = rows[~returns]
    orders = purchases.groupby(["persona", "customer_id"], observed=True).order_id.nunique()
    checks.expect((orders["one_time_buyer"] == 1).all(), "one-time buyers have exactly one order")
    checks.expect(orders["loyal_high_spender"].mean() > 3 * orders["lapsed"].mean(), "loyal high spenders order most often")
    last = pd.to_datetime(purchases.groupby("customer_id").timestamp.max(), unit="s", utc=True)
    first = pd.to_datetime(purchases.groupby("customer_id").timestamp.min(), unit="s", utc=True)
    persona_of = customers.set_index("customer_id").persona
    checks.expect((last[persona_of == "lapsed"] < END - pd.Timedelta(days=180)).all(),
                  "lapsed customers bought nothing in the last 180 days")
    checks.expect((first[persona_of == "new_customer"] >= END - pd.Timedelta(days=60)).all(),
                  "new customers first bought in the last 60 days")
    in_season = when[~returns].dt.month.isin([11, 12]).groupby(purchases.persona.values, observed=True).mean()
    checks.expect(in_season["seasonal"] > 0.7 and in_season.drop(["seasonal", "new_customer"]).max() < 0.4,
                  f"seasonal customers buy mostly in November-December: {in_season.round(2).to_dict()}")
    discounted = (purchases.discount > 0).groupby(purchases.persona, observed=True).mean()
    return_share = returns.groupby(rows.persona, observed=True).mean()
    checks.expect(discounted.idxmax() == "bargain_hunter" and return_share.idxmax() == "bargain_hunter",
                  "bargain hunters get the most discounts and return the most")
    channel = pd.crosstab(purchases.persona, purchases.channel, normalize="index")
    checks.expect(channel.loc["new_customer", 2] > channel.loc["one_time_buyer", 2], "new customers use the app more")


def check_refusals(checks, kseg):
    out = kseg.path("refused.h5")
    mixed = kseg.run("generate", "--transactions", "--features", 4, "--out", out, check=False)
    checks.expect(mixed.returncode != 0 and "excludes" in mixed.stderr, "--transactions refuses --features")
    bad_date = kseg.run("generate", "--transactions", "--start", "2023-02-30", "--out", out, check=False)
    checks.expect(bad_date.returncode == 2 and "--start 2023-02-30" in bad_date.stderr, f"a bad date is refused: {bad_date.stderr.strip()}")
    short = kseg.run("generate", "--transactions", "--start", "2024-06-01", "--out", out, check=False)
    checks.expect(short.returncode == 2 and "365" in short.stderr, f"a window under a year is refused: {short.stderr.strip()}")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    files = {}
    for ranks in [1, 2, 4]:
        files[ranks] = kseg.path(f"transactions-{ranks}.h5")
        kseg.run("generate", "--transactions", "--customers", CUSTOMERS, "--seed", 3, "--out", files[ranks], "--quiet",
                 ranks=ranks)
    reference, labels, attrs = read(files[1])
    for ranks in [2, 4]:
        arrays, other_labels, other_attrs = read(files[ranks])
        identical = all(arrays[n].tobytes() == reference[n].tobytes() for n in DTYPES)
        checks.expect(identical and other_labels == labels and other_attrs == attrs,
                      f"{ranks} ranks write the file of 1 rank, every dataset bit for bit")
    check_file(checks, reference, labels, attrs)
    rows, customers = frames(reference, labels)
    print(f"{len(rows):,} rows, {rows.order_id.nunique():,} orders of {len(customers):,} customers", flush=True)
    check_behaviour(checks, rows, customers)
    check_refusals(checks, kseg)
    checks.finish()


if __name__ == "__main__":
    main()
