"""Metadata quality: DCAT-AP-VL validation (fast SHACL checker, own shapes) and, elsewhere, scores.

``check_record`` validates one record as the catalogue publishes it (``check_records`` a batch, faster);
``catalog.quality.report`` validates whole documents (``catalog validate``, ``POST /api/validate``).
"""

from __future__ import annotations

from catalog.quality.validate import Finding, check_record, check_records

__all__ = ["Finding", "check_record", "check_records"]
