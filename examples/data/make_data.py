"""Write the invented row-level data files used by the bundled examples.

    python examples/data/make_data.py

Every number in these files is invented (fixed seeds, so the files are reproducible); they
illustrate the file formats and analyses, not any real evaluation.

- access-project-london.xlsx: a matched comparison of tutored pupils in London schools
  (sheet "Pupils"; a "Read me" sheet comes first, so the submission names the sheet).
- access-project-birmingham.csv: a school-randomised trial, one row per pupil, with a
  school column (40 schools, 20 per arm).
- story-friends-schools.csv: a small school-randomised trial (16 schools) whose effect is
  significant only if clustering is ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2024, 1, 1)


def _grade(x: np.ndarray) -> np.ndarray:
    return np.clip(np.round(x, 1), 1.0, 9.0)


def london(path: Path) -> None:
    """Matched comparison: 318 tutored and 640 comparison pupils; GCSE grade (1-9 points),
    the Year 9 grade as pretest, free school meals and sex as covariates, and whether the
    pupil went on to a highly selective university (yes/no, a secondary outcome)."""
    from openpyxl import Workbook

    rng = np.random.default_rng(20140601)
    n_t, n_c = 318, 640
    tutored = np.r_[np.ones(n_t), np.zeros(n_c)]
    pre = np.where(tutored == 1, rng.normal(5.42, 1.35, n_t + n_c),
                   rng.normal(5.28, 1.38, n_t + n_c))
    fsm = rng.binomial(1, np.where(tutored == 1, 0.45, 0.40))
    female = rng.binomial(1, 0.5, n_t + n_c)
    post = 0.9 + 0.85 * pre + 0.55 * tutored - 0.2 * fsm + 0.1 * female \
        + rng.normal(0, 0.95, n_t + n_c)
    p_uni = 1 / (1 + np.exp(-(-0.6 + 0.7 * (post - 5.5) + 0.4 * tutored)))
    uni = rng.binomial(1, p_uni)
    pre, post = _grade(pre), _grade(post)
    missing_post = set(rng.choice(n_t, 6, replace=False)) | set(
        n_t + rng.choice(n_c, 16, replace=False))
    missing_pre = {int(i) for i in rng.choice(n_t + n_c, 3, replace=False)}
    wb = Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    readme = wb.active
    assert readme is not None
    readme.title = "Read me"
    readme.append(["Invented data for the evidencekit example access-project-rows.yaml."])
    readme.append(["One row per pupil; blank cells are missing values."])
    ws = wb.create_sheet("Pupils")
    ws.append(["pupil", "group", "year9_grade", "gcse_grade", "fsm", "female",
               "selective_university"])
    for i in range(n_t + n_c):
        ws.append([f"L{i + 1:04d}", "tutored" if tutored[i] else "comparison",
                   None if i in missing_pre else float(pre[i]),
                   None if i in missing_post else float(post[i]), int(fsm[i]),
                   int(female[i]), None if i in missing_post else ("Yes" if uni[i] else "No")])
    wb.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Give every member of the .xlsx (a zip) the same timestamp: reproducible bytes."""
    import zipfile

    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, payload in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(fixed, payload)


def birmingham(path: Path) -> None:
    """School-randomised trial: 40 schools of 21 pupils (420 per arm); 25 tutored and 20
    control pupils have no GCSE grade (left school or absent)."""
    rng = np.random.default_rng(20160901)
    schools = 40
    treated_school = rng.permutation(np.r_[np.ones(20), np.zeros(20)])
    school = np.repeat(np.arange(schools), 21)
    arm = treated_school[school]
    u_pre = rng.normal(0, 0.45, schools)[school]
    u_post = rng.normal(0, 0.40, schools)[school]
    ks2 = _grade(5.3 + u_pre + rng.normal(0, 1.3, school.size))
    gcse = _grade(1.0 + 0.8 * ks2 + 0.6 * arm + u_post + rng.normal(0, 1.0, school.size))
    missing = set(rng.choice(np.flatnonzero(arm == 1), 25, replace=False)) | set(
        rng.choice(np.flatnonzero(arm == 0), 20, replace=False))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pupil", "school", "arm", "ks3_grade", "gcse_grade"])
        for i in range(school.size):
            w.writerow([f"B{i + 1:04d}", f"School {school[i] + 1:02d}",
                        "tutored" if arm[i] else "control", f"{ks2[i]:.1f}",
                        "" if i in missing else f"{gcse[i]:.1f}"])


def story_friends(path: Path) -> None:
    """School-randomised trial with few clusters: 16 schools (8 per arm) of 25 pupils; a
    reading-age score (months) before and after, and large differences between schools."""
    rng = np.random.default_rng(20230928)
    schools = 16
    treated_school = rng.permutation(np.r_[np.ones(8), np.zeros(8)])
    school = np.repeat(np.arange(schools), 25)
    arm = treated_school[school]
    u = rng.normal(0, 6.0, schools)[school]  # schools differ before ...
    v = rng.normal(0, 4.0, schools)[school]  # ... and in how much their pupils progress
    before = np.round(100 + u + rng.normal(0, 12, school.size))
    after = np.round(20 + 0.85 * before + 4.0 * arm + v + rng.normal(0, 9, school.size))
    missing = set(rng.choice(school.size, 7, replace=False))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["child", "school", "group", "reading_age_before", "reading_age_after"])
        for i in range(school.size):
            w.writerow([i + 1, f"S{school[i] + 1:02d}",
                        "story friends" if arm[i] else "usual teaching", int(before[i]),
                        "" if i in missing else int(after[i])])


def main() -> None:
    london(HERE / "access-project-london.xlsx")
    birmingham(HERE / "access-project-birmingham.csv")
    story_friends(HERE / "story-friends-schools.csv")


if __name__ == "__main__":
    main()
