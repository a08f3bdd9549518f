"""The store's session functions in one place: ``from catalog.db.repository import upsert_records``.

Every function takes the ``Session`` first and keyword-only arguments; none commits (the caller owns
the transaction, one per batch).
"""

from __future__ import annotations

from catalog.db.jobs import (
    FINAL_STATUSES,
    STAT_KEYS,
    JobRecord,
    JobRunning,
    add_job_record,
    add_job_records,
    finish_job,
    get_job,
    list_job_records,
    list_jobs,
    queue_job,
    start_job,
)
from catalog.db.queries import (
    DatasetOrder,
    FacetName,
    RawPayload,
    StoredDataset,
    count_datasets,
    facet_counts,
    get_dataset,
    get_dataset_by_uri,
    iter_datasets,
    iter_raw_records,
    list_datasets,
)
from catalog.db.sources import (
    MunicipalityRow,
    create_organisation,
    create_source,
    get_organisation_by_uri,
    get_source,
    get_source_by_url,
    list_municipalities,
    list_sources,
    load_municipalities,
    update_source,
)
from catalog.db.upsert import UpsertAction, UpsertItem, UpsertResult, mint_uri, upsert_record, upsert_records
from catalog.db.withdraw import find_missing, withdraw_dataset, withdraw_missing, withdraw_source_records

__all__ = [
    "FINAL_STATUSES",
    "STAT_KEYS",
    "DatasetOrder",
    "FacetName",
    "JobRecord",
    "JobRunning",
    "MunicipalityRow",
    "RawPayload",
    "StoredDataset",
    "UpsertAction",
    "UpsertItem",
    "UpsertResult",
    "add_job_record",
    "add_job_records",
    "count_datasets",
    "create_organisation",
    "create_source",
    "facet_counts",
    "find_missing",
    "finish_job",
    "get_dataset",
    "get_dataset_by_uri",
    "get_job",
    "get_organisation_by_uri",
    "get_source",
    "get_source_by_url",
    "iter_datasets",
    "iter_raw_records",
    "list_datasets",
    "list_job_records",
    "list_jobs",
    "list_municipalities",
    "list_sources",
    "load_municipalities",
    "mint_uri",
    "queue_job",
    "start_job",
    "update_source",
    "upsert_record",
    "upsert_records",
    "withdraw_dataset",
    "withdraw_missing",
    "withdraw_source_records",
]
