"""Where a report came from: generation time, digests of the files, the rubric's
parameters and the disclosure statement.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..errors import UsageError
from ..load.model import DataSource, Submission
from .builder import BuilderBase
from .views import ParameterRow, ProvenanceRow, ReportOptions
from .words import _param


def generation_time(options: ReportOptions) -> tuple[datetime | None, str]:
    """When the report was made, and where that time came from.

    ``SOURCE_DATE_EPOCH`` (reproducible builds) wins over the clock; ``--deterministic``
    without it records no time at all.
    """
    if options.generated_at is not None:
        when = options.generated_at
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC).replace(microsecond=0), "given"
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip() != "":
        try:
            seconds = int(epoch.strip())
            return datetime.fromtimestamp(seconds, UTC), "SOURCE_DATE_EPOCH"
        except (ValueError, OverflowError, OSError):
            raise UsageError.one(None, "SOURCE_DATE_EPOCH as whole seconds since 1970-01-01",
                                 repr(epoch)) from None
    if options.deterministic:
        return None, "deterministic"
    return datetime.now(UTC).replace(microsecond=0), "clock"


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes, read in chunks; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


class Appendix(BuilderBase):
    def parameters(self) -> tuple[ParameterRow, ...]:
        rows = []
        declared = self.rubric.parameters if self.rubric is not None else {}
        for name, value in self.r.parameters.items():
            p = declared.get(name)
            default = _param(p.default) if p is not None else "—"
            desc = self.free(getattr(p, "description", "") or "").rstrip(".")
            # The rubric's key for the parameter is the rubric file's business; a reader
            # sees what it means.
            rows.append(ParameterRow(desc or self.text(name).replace("_", " "),
                                     _param(value), default, ""))
        return tuple(rows)

    def authorship(self) -> str:
        """Who wrote the submission and what evidencekit verified of it (page one)."""
        r = self.r
        who = (f"the applicant, {self.text(r.organisation, 'short')}" if r.organisation
               else "the applicant")
        return (f"Submission written by {who}. evidencekit recomputed every effect and test "
                "from it and checked each criterion; it cannot check that the figures given "
                "are true.")

    def verified(self) -> str:
        """What evidencekit verified, in full (the provenance table)."""
        r = self.r
        data = bool(self.sub is not None and _data_files(self.sub))
        source = ("the row-level data files and figures it gives" if data else
                  "the figures it gives")
        claimed = sum(1 for lv in r.levels for c in lv.criteria if c.status == "claimed")
        tail = (f" {claimed} criteri{'on rests' if claimed == 1 else 'a rest'} on the "
                "applicant's answers alone (“Claimed only”)." if claimed else "")
        return (f"every effect, test and interval, recomputed from {source}, and each "
                f"criterion of {self.text(r.rubric_title)}; not that the figures are "
                f"true.{tail}")

    def provenance(self, when: datetime | None, source: str) -> tuple[ProvenanceRow, ...]:
        rows = [ProvenanceRow("evidencekit", f"version {__version__}")]
        if when is not None:
            how = {"SOURCE_DATE_EPOCH": " (from SOURCE_DATE_EPOCH)", "given": ""}.get(source, "")
            rows.append(ProvenanceRow("Generated", when.strftime("%Y-%m-%d %H:%M:%S UTC") + how))
        else:
            rows.append(ProvenanceRow("Generated", "time not recorded (deterministic output)"))
        r = self.r
        rows.append(ProvenanceRow("Rubric", f"{self.text(r.rubric_id)}, version "
                                  f"{self.text(r.rubric_version)} ({self.text(r.rubric_title)})"))
        if self.rubric is not None:
            rubric_file = Path(self.rubric.path).name if self.rubric.path else "(in memory)"
            rows.append(ProvenanceRow("Rubric file", self.text(rubric_file),
                                      self.rubric.sha256))
        else:
            rows.append(ProvenanceRow("Rubric file", "not recorded (no rubric object given)"))
        rows.append(ProvenanceRow("Written by", "the applicant" + (
            f" ({self.text(r.organisation, 'short')})" if r.organisation else "")))
        rows.append(ProvenanceRow("evidencekit verified", self.verified()))
        if self.sub is not None:
            src = self.sub.source
            shown = Path(src).name if src and not src.startswith("<") else src
            rows.append(ProvenanceRow("Submission", self.text(shown or "(in memory)"),
                                      self.sub.sha256))
            for path in _data_files(self.sub):
                from ..load.data import sha256_inside

                digest = sha256_inside(path, self.sub.base_dir or Path.cwd())
                rows.append(ProvenanceRow("Data file", self.text(path.name),
                                          digest or "unreadable"))
        else:
            rows.append(ProvenanceRow("Submission", "not recorded (no submission given)"))
        rows.append(ProvenanceRow("Templates", "custom template folder, over the bundled ones"
                                  if self.opt.template_dir is not None else "bundled"))
        rows.append(ProvenanceRow("Disclosure control",
                                  f"counts below {self.sdc.threshold} shown as "
                                  f"“<{self.sdc.threshold}”"))
        return tuple(rows)

    def disclosure_statement(self) -> str:
        t = self.sdc.threshold
        text = (f"Counts of people below {t} are shown as “<{t}”. For any outcome with such a "
                "count, the group means, standard deviations, proportions, effects, confidence "
                "intervals and p-values are withheld, because with the numbers shown they "
                "would reveal it; such counts and statistics are also masked in the reasons "
                "quoted from the assessment. No row-level data appear in this report: data "
                "files are identified by their SHA-256 only.")
        if not self.sdc.applied:
            text += f" No count in this report was below {t}."
        return text


def _data_files(sub: Submission) -> list[Path]:
    seen: dict[str, Path] = {}
    for e in sub.evaluations:
        for o in e.outcomes:
            if isinstance(o.source, DataSource):
                seen.setdefault(str(o.source.path), Path(o.source.path))
    return list(seen.values())
