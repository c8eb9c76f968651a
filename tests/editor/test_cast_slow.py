"""Slow: the three people of the shared footage — held-out takes never get a wrong identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from editor.cast import train_cast, who
from editor.dailies import content_hash
from media import probe
from tests.editor.test_cast import _tag

TAKES = {
    "actor": ["crema-d_1001_DFA_NEU_XX.flv", "crema-d_1001_DFA_SAD_XX.flv"],
    "grid": ["grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"],
    "obama": ["obama-weekly-address_but-heres-the-thing.mp4", "obama-weekly-address_a-bad-situation.mp4"],
}


@pytest.mark.slow
def test_three_people_held_out(footage_dir: Path) -> None:
    infos = {n: probe(footage_dir / n) for t in TAKES.values() for n in t}
    tags = [_tag(infos[t[0]], p) for p, t in TAKES.items()]
    model = train_cast({content_hash(infos[t[0]].path): infos[t[0]] for t in TAKES.values()}, tags).model
    for person, takes in TAKES.items():
        report = who(infos[takes[1]], model)
        assert report.labels == (person,) and report.unidentified_faces == 0, (person, report.as_json())
