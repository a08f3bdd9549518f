"""The committed data files are exactly what the generator makes from the reference files."""

from __future__ import annotations

from pathlib import Path

import pytest

from vocab.generate import DATA_DIR, build_all, dumps

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "vocab"


@pytest.fixture(scope="module")
def generated() -> dict[str, object]:
    if not REFERENCE.is_dir():
        pytest.skip(
            f"reference vocabularies not found at {REFERENCE} (only present in the project workspace)"
        )
    return build_all(REFERENCE)


def test_committed_data_equals_generator_output(generated: dict[str, object]) -> None:
    committed = {p.name for p in DATA_DIR.glob("*.json")}
    assert committed == set(generated)
    for name, value in generated.items():
        assert (DATA_DIR / name).read_text(encoding="utf-8") == dumps(value), name


def test_generator_is_deterministic(generated: dict[str, object]) -> None:
    again = build_all(REFERENCE)
    assert {k: dumps(v) for k, v in again.items()} == {k: dumps(v) for k, v in generated.items()}
