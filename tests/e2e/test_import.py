"""kseg import as a user meets it: a real whitespace export (CDNOW) checked against its published
customer summary, a CSV with every quirk of real exports, --strict, --force, --config, --json,
and the same results under mpiexec -n 2."""
import calendar
import datetime
import hashlib
import json
import os

import h5py
import numpy as np

from kseg_e2e import CDNOW, CDNOW_MAPPING, CDNOW_SUMMARY, Checks, Kseg, parse_args
DAY = 86400


def utc(*fields):
    return calendar.timegm(datetime.datetime(*fields).timetuple())


def read_transactions(path):
    with h5py.File(path, "r") as f:
        group = f["transactions"]
        columns = {name: group[name][:] for name in group}
        labels = {name: list(group[name].attrs["labels"]) for name in group if "labels" in group[name].attrs}
        return columns, labels, dict(f.attrs)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def fnv1a_63(text):
    value = 14695981039346656037
    for byte in text.encode():
        value = ((value ^ byte) * 1099511628211) % 2**64
    return value & (2**63 - 1)


def check_cdnow(kseg, checks):
    out = kseg.path("cdnow.h5")
    done = kseg.run("import", "--csv", CDNOW, "--out", out, *CDNOW_MAPPING, "--json")
    summary = json.loads(done.stdout)
    checks.expect(summary["rows_read"] == 6919 and summary["rows_kept"] == 6919 and summary["rows_skipped"] == 0,
                  f"CDNOW: 6,919 rows read and kept ({summary['rows_read']}, {summary['rows_kept']})")
    columns, _, attrs = read_transactions(out)
    checks.expect(sorted(columns) == ["amount", "customer_id", "quantity", "timestamp"],
                  f"CDNOW: only the mapped columns ({sorted(columns)})")
    checks.expect(columns["customer_id"].dtype == np.int64 and columns["timestamp"].dtype == np.int64
                  and columns["amount"].dtype == np.float64 and columns["quantity"].dtype == np.int32,
                  "CDNOW: docs/DESIGN.md's dtypes")
    checks.expect(len(np.unique(columns["customer_id"])) == 2357, "CDNOW: 2,357 distinct customers")

    fields = [line.split() for line in open(CDNOW) if line.strip()]
    expected = {"customer_id": [int(f[1]) for f in fields],  # "0001" → 1
                "timestamp": [utc(int(f[2][:4]), int(f[2][4:6]), int(f[2][6:])) for f in fields],
                "quantity": [int(f[3]) for f in fields],
                "amount": [float(f[4]) for f in fields]}
    for name, values in expected.items():
        checks.expect(np.array_equal(columns[name], values), f"CDNOW: {name} equals the file's, row by row")
    checks.expect(np.all(columns["timestamp"] % DAY == 0), "CDNOW: timestamps are midnight UTC")
    checks.expect(attrs["rows_kept"] == 6919 and "customer=2" in attrs["config"], "CDNOW: the file records its import")
    check_cdnow_summary(columns, checks)
    features = kseg.path("cdnow-features.h5")
    read = kseg.run("features", "--input", out, "--as-of", "1997-09-30", "--out", features, "--quiet", check=False)
    checks.expect(read.returncode == 0, f"CDNOW: kseg features reads the imported file ({read.stderr.strip()})")
    return out


def check_cdnow_summary(columns, checks):
    """The published calibration summary (repeat days x, t_x and T in weeks to 1997-09-30) follows
    from the imported ids and dates alone."""
    end = utc(1997, 9, 30)
    calibration = columns["timestamp"] <= end
    days = {}
    for customer, when in zip(columns["customer_id"][calibration], columns["timestamp"][calibration]):
        days.setdefault(int(customer), set()).add(int(when) // DAY)
    mismatches = 0
    rows = [line.strip().split(",") for line in open(CDNOW_SUMMARY)][1:]
    for customer, x, t_x, big_t, _ in rows:
        seen = sorted(days.get(int(customer), ()))
        ok = (len(seen) - 1 == int(x) and abs((seen[-1] - seen[0]) / 7 - float(t_x)) < 0.006
              and abs((end // DAY - seen[0]) / 7 - float(big_t)) < 0.006) if seen else False
        mismatches += not ok
    checks.expect(len(rows) == 2357 and mismatches == 0,
                  f"CDNOW: x, t_x, T of all 2,357 customers match the published summary ({mismatches} differ)")


# Quirks of real exports, one per line. Line numbers matter: the summary names them.
QUIRKS_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
QUIRKS_LINES = [
    '536365,85123A,"WHITE HANGING HEART T-LIGHT HOLDER",6,12/1/2010 8:26,2.55,17850.0,United Kingdom',  # 2 kept
    '536366,22633,"HAND WARMER, UNION JACK",6,12/1/2010 8:28,1.85,17850,United Kingdom',  # 3 comma in quotes
    'C536379,D,Discount,-1,12/1/2010 9:41,27.50,14527,United Kingdom',  # 4 cancelled: return
    '536414,22139,,56,12/1/2010 11:52,0,,United Kingdom',  # 5 no customer id
    '536381,22719,"GIRL\'S ""SMALL"" BAG",2,12/1/2010 9:41,0,15311,United Kingdom',  # 6 zero price
    '536382,10002,BAD DATE,1,2011-02-30 10:00,1.00,16098,United Kingdom',  # 7 bad date
    '536383,10003,TOO FEW,1,12/1/2010 9:41',  # 8 wrong field count
    '',  # 9 blank: not a row
    '536384,10004,"TWO\nLINES",3,2010-12-01T10:00:00-05:00,2.00,12345,France',  # 10-11 kept
    '536385,10005,BAD QTY,abc,12/1/2010 9:41,1.0,12346,France',  # 12 bad number
    '536386,10006,BAD CUSTOMER,1,12/1/2010 9:41,1.0,X123,France',  # 13 bad customer id
    'C536387,10007,RETURN POSITIVE QTY,2,12/9/2011 12:50,3.00,12347,France',  # 14 return by invoice
    '536388,10008,"EXTRA, FIELDS",1,12/9/2011 12:50,1.0,12348,France,extra',  # 15 wrong field count
    'INV-2011-7,10009,ODD INVOICE,4,2011-12-09,0.50,00012349,France',  # 16 order id hashed
]
QUIRKS_MAPPING = ["--customer", "customerid", "--timestamp", "InvoiceDate", "--order", "InvoiceNo",
                  "--quantity", "Quantity", "--unit-price", "UnitPrice", "--channel", "Country"]


def write_quirks(path):
    text = "\r\n".join([QUIRKS_HEADER] + QUIRKS_LINES) + "\r\n"
    with open(path, "wb") as f:
        f.write(b"\xef\xbb\xbf" + text.encode())
    return path


def check_quirks(kseg, checks, csv):
    out = kseg.path("quirks.h5")
    done = kseg.run("import", "--csv", csv, "--out", out, *QUIRKS_MAPPING, "--json")
    summary = json.loads(done.stdout)
    expected_skips = {"missing_customer_id": 1, "bad_customer_id": 1, "bad_timestamp": 1, "bad_number": 1,
                      "wrong_field_count": 2}
    checks.expect((summary["rows_read"], summary["rows_kept"], summary["returns"], summary["zero_amount"])
                  == (13, 7, 2, 1), f"quirks: 13 read, 7 kept, 2 returns, 1 zero amount ({summary})")
    checks.expect(summary["skipped"] == expected_skips, f"quirks: skips counted by reason ({summary['skipped']})")
    named = {int(line): reason for line, reason in summary["first_skipped"].items()}
    checks.expect(sorted(named) == [5, 7, 8, 12, 13],
                  f"quirks: the first 5 skipped rows named by line ({sorted(named)})")
    checks.expect(named.get(7, "").startswith("bad timestamp") and "2011-02-30" in named.get(7, "")
                  and named.get(5, "").startswith("missing customer id"),
                  f"quirks: reasons and values named ({named})")
    for text in ["line 5: missing customer id", "line 7: bad timestamp", "line 8: wrong number of fields",
                 "line 12: bad amount/quantity/price", "line 13: bad customer id", "13 rows read, 7 kept"]:
        checks.expect(text in done.stderr, f"quirks: stderr summary says '{text}'")

    columns, labels, _ = read_transactions(out)
    checks.expect(sorted(columns) == ["amount", "channel", "customer_id", "order_id", "quantity", "timestamp"],
                  f"quirks: mapped columns only ({sorted(columns)})")
    checks.expect(list(columns["customer_id"]) == [17850, 17850, 14527, 15311, 12345, 12347, 12349],
                  f"quirks: kept customers in file order, '17850.0' and '00012349' read ({columns['customer_id']})")
    checks.expect(np.allclose(columns["amount"], [15.3, 11.1, -27.5, 0.0, 6.0, -6.0, 2.0]),
                  f"quirks: amount = quantity x unit price, returns negative ({columns['amount']})")
    checks.expect(list(columns["quantity"]) == [6, 6, -1, 2, 3, -2, 4], f"quirks: quantities ({columns['quantity']})")
    orders = [536365, 536366, 536379, 536381, 536384, 536387, fnv1a_63("INV-2011-7")]
    checks.expect(list(columns["order_id"]) == orders,
                  f"quirks: order ids without prefix, odd ones hashed ({columns['order_id']})")
    expected_times = [utc(2010, 12, 1, 8, 26), utc(2010, 12, 1, 8, 28), utc(2010, 12, 1, 9, 41),
                      utc(2010, 12, 1, 9, 41), utc(2010, 12, 1, 15, 0), utc(2011, 12, 9, 12, 50), utc(2011, 12, 9)]
    checks.expect(list(columns["timestamp"]) == expected_times,
                  f"quirks: m/d/yyyy, ISO with offset and plain dates in UTC ({columns['timestamp']})")
    checks.expect(labels.get("channel") == ["United Kingdom", "France"]
                  and list(columns["channel"]) == [0, 0, 0, 0, 1, 1, 1],
                  f"quirks: channel codes in order of first appearance ({labels})")
    return out


def check_other_dialects(kseg, checks):
    """Semicolons, no header, positions, Unix seconds, category and discount, mapping from --config."""
    csv = kseg.path("semicolon.txt")
    with open(csv, "w") as f:
        f.write("7;1323435000;19.99;web;books;\n8;1323435060;5.00;store;music;0.5\n")
    config = kseg.path("semicolon.toml")
    with open(config, "w") as f:
        f.write('customer = "1"\ntimestamp = "2"\namount = "3"\nchannel = "4"\ncategory = "5"\ndiscount = "6"\n'
                'delimiter = ";"\nno-header = true\ntimestamp-format = "unix"\n')
    out = kseg.path("semicolon.h5")
    kseg.run("import", "--csv", csv, "--out", out, "--config", config, "--quiet")
    columns, labels, _ = read_transactions(out)
    checks.expect(list(columns["timestamp"]) == [1323435000, 1323435060] and list(columns["discount"]) == [0.0, 0.5]
                  and labels == {"channel": ["web", "store"], "category": ["books", "music"]},
                  f"--config mapping, ';' without header, unix seconds, empty discount as 0 ({columns}, {labels})")


def check_strict(kseg, checks, csv):
    for ranks in (None, 2):
        out = kseg.path(f"strict-{ranks}.h5")
        done = kseg.run("import", "--csv", csv, "--out", out, *QUIRKS_MAPPING, "--strict", ranks=ranks, check=False)
        errors = [line for line in done.stderr.splitlines() if line.startswith("kseg: error")]
        checks.expect(done.returncode == 2, f"--strict (ranks {ranks}): exit code 2 ({done.returncode})")
        checks.expect(len(errors) == 1 and f"{csv}:5: missing customer id" in errors[0],
                      f"--strict (ranks {ranks}): one error naming file:line and reason ({errors})")
        checks.expect(not os.path.exists(out) and not os.path.exists(out + ".partial"),
                      f"--strict (ranks {ranks}): no output left behind")


def check_refusals(kseg, checks, cdnow_out):
    before = digest(cdnow_out)
    done = kseg.run("import", "--csv", CDNOW, "--out", cdnow_out, *CDNOW_MAPPING, check=False)
    checks.expect(done.returncode == 2 and "already exists" in done.stderr and digest(cdnow_out) == before,
                  "existing output refused without --force and left untouched")
    kseg.run("import", "--csv", CDNOW, "--out", cdnow_out, *CDNOW_MAPPING, "--force", "--quiet")
    checks.expect(read_transactions(cdnow_out)[2]["rows_kept"] == 6919, "--force replaces it")
    missing = kseg.run("import", "--csv", CDNOW, "--out", kseg.path("x.h5"), "--whitespace", "--no-header",
                       "--customer", 2, "--timestamp", 3, check=False)
    checks.expect(missing.returncode == 2 and "--amount" in missing.stderr, "a mapping without an amount is refused")
    unknown = kseg.run("import", "--csv", write_quirks(kseg.path("q2.csv")), "--out", kseg.path("y.h5"),
                       "--customer", "Client", "--timestamp", "InvoiceDate", "--amount", "UnitPrice", check=False)
    checks.expect(unknown.returncode == 2 and "'Client': no such column" in unknown.stderr
                  and "CustomerID" in unknown.stderr, f"an unknown column is named with the header's columns")
    for name in ("x.h5", "y.h5"):
        checks.expect(not os.path.exists(kseg.path(name)), f"no {name} after a refused mapping")


def check_mpi(kseg, checks, cdnow_out, quirks_csv, quirks_out):
    for source, mapping, serial_out in [(CDNOW, CDNOW_MAPPING, cdnow_out), (quirks_csv, QUIRKS_MAPPING, quirks_out)]:
        out = kseg.path("np2-" + os.path.basename(serial_out))
        done = kseg.run("import", "--csv", source, "--out", out, *mapping, "--json", ranks=2)
        checks.expect(len(done.stdout.strip().splitlines()) == 1, "mpiexec -n 2: one --json summary, from rank 0")
        serial, parallel = read_transactions(serial_out), read_transactions(out)
        same = serial[1] == parallel[1] and all(np.array_equal(serial[0][k], parallel[0][k]) for k in serial[0])
        checks.expect(same, f"mpiexec -n 2: {os.path.basename(source)} imports to the same data")


def check_missing_markers(kseg, checks):
    """Spreadsheet exports write NA, N/A, NULL or nothing for an unknown customer: missing, not bad."""
    csv = kseg.path("markers.csv")
    rows = ["customer,date,amount", "NA,2020-01-01,1", "n/a,2020-01-01,1", "NULL,2020-01-01,1", ",2020-01-01,1",
            " nan ,2020-01-01,1", "12,2020-01-01,1", "X9,2020-01-01,1"]
    open(csv, "w").write("\n".join(rows) + "\n")
    done = kseg.run("import", "--csv", csv, "--out", kseg.path("markers.h5"), "--customer", "customer",
                    "--timestamp", "date", "--amount", "amount", "--json")
    skipped = json.loads(done.stdout)["skipped"]
    checks.expect(skipped["missing_customer_id"] == 5 and skipped["bad_customer_id"] == 1,
                  f"NA, n/a, NULL, nan and empty ids count as missing, X9 as bad ({skipped})")


def main():
    kseg = Kseg(parse_args())
    checks = Checks()
    help_text = kseg.run("import", "--help").stdout
    checks.expect("CustomerID" in help_text and "CDNOW" in help_text and "--unit-price" in help_text,
                  "import --help teaches with the UCI Online Retail and CDNOW examples")
    cdnow_out = check_cdnow(kseg, checks)
    quirks_csv = write_quirks(kseg.path("quirks.csv"))
    quirks_out = check_quirks(kseg, checks, quirks_csv)
    check_other_dialects(kseg, checks)
    check_strict(kseg, checks, quirks_csv)
    check_refusals(kseg, checks, cdnow_out)
    check_mpi(kseg, checks, cdnow_out, quirks_csv, quirks_out)
    check_missing_markers(kseg, checks)
    checks.finish()


if __name__ == "__main__":
    main()
