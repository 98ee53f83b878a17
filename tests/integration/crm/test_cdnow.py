"""RFM checked against independent computations on a real purchase log: the CDNOW log that ``lifetimes``
ships (CD purchases of 23,570 customers, 1997-01 to 1998-06), imported through the import endpoint.

Independent: pandas computes recency, frequency, monetary and the quintile scores from the raw file with the
usual convention (``qcut``; frequency ranked ``method="first"``), and lifetimes'
``summary_data_from_transaction_data`` gives each customer's days since the last purchase (``T − recency``)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from lifetimes.utils import summary_data_from_transaction_data

from services.crm.rfm import segment_of
from tests.integration.crm.conftest import open_shop

DATASETS = Path(__import__("lifetimes").__file__).resolve().parent / "datasets"
AS_OF = pd.Timestamp("1998-07-01")  # the day after the log ends


def cdnow(name: str) -> pd.DataFrame:
    if name == "sample":
        columns = ["customer", "customer_index", "date", "cds", "amount"]
        frame = pd.read_csv(DATASETS / "CDNOW_sample.txt", sep=r"\s+", header=None, names=columns,
                            dtype={"customer": str, "date": str})  # fmt: skip
    else:
        columns = ["customer", "date", "cds", "amount"]
        frame = pd.read_csv(DATASETS / "CDNOW_master.txt", sep=r"\s+", skiprows=1, header=None, names=columns,
                            dtype={"customer": str, "date": str})  # fmt: skip
    return frame[["customer", "date", "amount"]]


def upload(client, shop_id: str, frame: pd.DataFrame, name: str):
    body = frame.to_csv(index=False, float_format="%.2f").encode()
    return client.post(f"/shops/{shop_id}/imports", data={"file": (io.BytesIO(body), name), "agent_id": "teacher"},
                       content_type="multipart/form-data")  # fmt: skip


def independent_rfm(frame: pd.DataFrame) -> pd.DataFrame:
    log = frame.assign(date=pd.to_datetime(frame["date"], format="%Y%m%d"))
    rfm = log.groupby("customer").agg(last=("date", "max"), frequency=("date", "size"), monetary=("amount", "sum"))
    rfm["recency"] = (AS_OF - rfm["last"]).dt.days
    rfm["R"] = pd.qcut(rfm["recency"], 5, labels=[5, 4, 3, 2, 1]).astype(int)
    rfm["F"] = pd.qcut(rfm["frequency"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(int)
    rfm["M"] = pd.qcut(rfm["monetary"], 5, labels=[1, 2, 3, 4, 5]).astype(int)
    summary = summary_data_from_transaction_data(log, "customer", "date", observation_period_end=AS_OF)
    rfm["days_since_last"] = (summary["T"] - summary["recency"]).astype(int)
    return rfm


def ours(client, shop_id: str) -> pd.DataFrame:
    rows, offset = [], 0
    while True:
        page = client.get(f"/shops/{shop_id}/customers",
                          query_string={"limit": 500, "offset": offset, "sort": "customer_id"}).get_json()  # fmt: skip
        rows += page["items"]
        offset += 500
        if offset >= page["total"]:
            break
    return pd.DataFrame(
        [
            {
                "customer": c["customer_id"],
                **{k: c["rfm"][k] for k in ("recency_days", "frequency", "r", "f", "m")},
                "monetary": c["rfm"]["monetary"],
                "segment": c["segment"],
            }
            for c in rows
        ]  # fmt: skip
    ).set_index("customer")


def compare(client, shop_id: str, frame: pd.DataFrame) -> None:
    summary = client.post(f"/shops/{shop_id}/rfm/recompute",
                          json={"agent_id": "teacher", "as_of": "1998-07-01T00:00:00+00:00"}).get_json()  # fmt: skip
    expected = independent_rfm(frame)
    found = ours(client, shop_id).loc[expected.index]
    assert summary["customers"] == len(expected) and summary["pinned"]
    assert (found["recency_days"] == expected["recency"]).all()
    assert (found["recency_days"] == expected["days_since_last"]).all()  # lifetimes agrees on recency
    assert (found["frequency"] == expected["frequency"]).all()
    cents = (expected["monetary"] * 100).round().astype(int)
    assert (found["monetary"].map(lambda v: int(v.replace(".", ""))) == cents).all()
    mismatched = {k: int((found[k.lower()] != expected[k]).sum()) for k in ("R", "F", "M")}
    assert mismatched == {"R": 0, "F": 0, "M": 0}
    segments = [segment_of(r, f) for r, f in zip(expected["R"], expected["F"], strict=True)]
    assert found["segment"].tolist() == segments


def test_rfm_of_the_cdnow_sample_matches_pandas_and_lifetimes(stack):
    shop_id = open_shop(stack, platform="amazon")
    client = stack.client("crm")
    frame = cdnow("sample")  # 6,919 purchases of 2,357 customers, eight of them of 0.00
    response = upload(client, shop_id, frame, "cdnow_sample.csv")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["rows"], body["customers"], body["new_customers"], body["format"]) == (6919, 2357, 2357, "csv")
    assert body["first_at"].startswith("1997-01-01") and body["last_at"].startswith("1998-06-30")
    compare(client, shop_id, frame)


@pytest.mark.size
def test_rfm_of_the_whole_cdnow_log_imported_in_two_files(sqlite_stack):
    """69,659 purchases: two files, as the upload limit is 1 MB; RFM covers both imports alike. SQLite only (the
    sample above runs on both databases; this one is about size)."""
    stack = sqlite_stack
    shop_id = open_shop(stack, platform="amazon")
    client = stack.client("crm")
    frame = cdnow("master")
    half = len(frame) // 2
    for part, name in ((frame.iloc[:half], "cdnow_1.csv"), (frame.iloc[half:], "cdnow_2.csv")):
        response = upload(client, shop_id, part, name)
        assert response.status_code == 201, response.get_json()
    assert sum(i["rows"] for i in client.get(f"/shops/{shop_id}/imports").get_json()) == 69659
    compare(client, shop_id, frame)
