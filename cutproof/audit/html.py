"""The printable HTML audit for lawyers: one page per project, every claim linked to its ledger receipt.

Built with plain Python (no template engine: loading one was about a tenth of an HTML audit's start-up). Every
value that comes from the records — names, purposes, review notes, rule explanations, file names, ids — goes through
``_e``, which escapes ``& < > " '`` exactly as MarkupSafe does, so no text a user typed can become markup in the
legal report. Nothing else is written unescaped except this module's own literals.

Layout: the header (project, ledger origin, time, log size, timeline), a summary table, then per shot a heading
(scene, shot, take, file, problem flags) and per edit request a table — edit, performers affected, decision with
its reasons, the consent or exemption relied on (with the signed document's hash and its status now), sign-off,
edit applied, label — and at the end the signed checkpoint the report was checked against.
"""

from __future__ import annotations

from collections.abc import Callable

from cutproof.audit.build import AuditReport, BasisRef, EditAudit, ShotAudit

Receipt = Callable[[int], str]

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})
_OUTCOME_CLASS = {"allow": "ok", "deny": "deny", "review": "review"}

_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Consent and AI-edit audit — {project}</title>
<style>
  body { font-family: Georgia, "Times New Roman", serif; margin: 2.5em auto; max-width: 60em; color: #111; \
line-height: 1.45; }
  h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.2em; border-bottom: 1px solid #999; \
margin-top: 2em; }
  .meta { color: #444; font-size: .9em; } .flag { background: #fde2e1; color: #8a1c14; padding: 0 .35em; \
border-radius: 3px; font-weight: bold; }
  .ok { color: #1d6b2a; font-weight: bold; } .deny { color: #8a1c14; font-weight: bold; } .review { color: \
#8a5a00; font-weight: bold; }
  table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .92em; }
  th, td { border: 1px solid #bbb; padding: .3em .5em; text-align: left; vertical-align: top; }
  th { background: #f1f1f1; width: 13em; } code { font-size: .85em; word-break: break-all; }
  .summary td, .summary th { width: auto; } a { color: #0b4f9c; }
  @media print { a { color: #000; } body { margin: 1em; } h2 { page-break-before: auto; } table { \
page-break-inside: avoid; } }
</style>
</head>
<body>
<h1>Consent and AI-edit audit</h1>
"""

_INTRO = """<p>This report lists every shot of the project, every AI edit requested on it, the consent or exemption \
each edit relied on,
who signed off, and whether the delivered file was labelled. Each statement links to a <em>receipt</em>: a \
cryptographic
proof that the record is in the project's append-only ledger, checkable offline by anyone holding the project's
verification key.</p>

<table class="summary">
<tr><th>Shots</th><th>Shots edited</th><th>Edit requests</th><th>Delivered</th><th>Denied</th><th>Awaiting \
review</th><th>Shots with problems</th></tr>
"""


def _e(value: object) -> str:
    """``str(value)`` HTML-escaped (``& < > " '``; MarkupSafe's replacements)."""
    return str(value).translate(_ESCAPES)


def render(report: AuditReport, receipt: Receipt) -> str:
    """The HTML report; ``receipt(index)`` is the link to the receipt of ledger entry ``index``."""
    r = report
    out = [_HEAD.replace("{project}", _e(r.project))]
    timeline = f" · timeline <code>{_e(r.timeline)}</code>" if r.timeline else ""
    out.append(
        f'<p class="meta">Project <strong>{_e(r.project)}</strong> · ledger <code>{_e(r.origin)}</code> · '
        f"generated {_e(r.generated_at)} UTC ·\nlog size {_e(r.log_size)}{timeline}</p>\n"
    )
    out.append(_INTRO)
    s = r.summary()
    flagged = f'<span class="flag">{_e(s["flagged_shots"])}</span>' if s["flagged_shots"] else "0"
    out.append(
        f"<tr><td>{_e(s['shots'])}</td><td>{_e(s['shots_edited'])}</td><td>{_e(s['edit_requests'])}</td>"
        f"<td>{_e(s['delivered'])}</td>\n<td>{_e(s['denied'])}</td><td>{_e(s['awaiting_review'])}</td>"
        f"<td>{flagged}</td></tr>\n</table>\n\n"
    )
    for shot in r.shots:
        out.append(_shot(r, shot, receipt))
    out.append(
        f"\n\n<h2>The checkpoint this report was checked against</h2>\n<pre>{_e(r.checkpoint)}</pre>\n</body>\n</html>"
    )
    return "".join(out)


def _shot(r: AuditReport, s: ShotAudit, receipt: Receipt) -> str:
    take = f" · take {_e(s.take)}" if s.take is not None else ""
    flags = "".join(f' <span class="flag">{_e(f)}</span>' for f in s.flags)
    used = ""
    if s.timeline_ranges:
        ranges = ", ".join(f"{_e(rg[0])}–{_e(rg[1])}" for rg in s.timeline_ranges)
        used = f" · used in the timeline at frames\n{ranges}"
    none = "<p>No AI edits were requested on this shot.</p>" if not s.edits else ""
    edits = "".join(_edit(r, e, receipt) for e in s.edits)
    return (
        f"\n<h2>Scene {_e(s.scene or '?')} · shot {_e(s.shot or '?')}{take} — {_e(s.file_name)}\n{flags}</h2>\n"
        f'<p class="meta">Clip SHA-256 <code>{_e(s.clip_hash)}</code>{used}</p>\n{none}\n{edits}\n'
    )


def _edit(r: AuditReport, e: EditAudit, receipt: Receipt) -> str:
    end = e.frames[1] if e.frames[1] is not None else "end"
    region = f"; region {_e(e.region)}" if e.region else ""
    rows = [
        f"<tr><th>Edit</th><td>{_e(e.kind)} for {_e(e.purpose.replace('_', ' '))}; frames {_e(e.frames[0])}–"
        f'{_e(end)}{region}\n <span class="meta">(request {_e(e.request_id[:12])})</span></td></tr>\n',
        f"<tr><th>Performers affected</th><td>{_performers(r, e)}</td></tr>\n",
        _decision(e, receipt),
        f"<tr><th>Basis relied on</th><td>{'none' if not e.basis else ''}<ul>"
        f"{''.join(_basis(r, b, receipt) for b in e.basis)}</ul></td></tr>\n",
        f"<tr><th>Sign-off</th><td>{_signoff(e, receipt)}</td></tr>\n",
        f"<tr><th>Edit applied</th><td>{_applied(e, receipt)}</td></tr>\n",
        f"<tr><th>Label</th><td>{_label(e, receipt)}</td></tr>\n",
    ]
    rows += _resubmission(e, receipt)
    if e.flags:
        problems = "".join(f'<span class="flag">{_e(f)}</span> ' for f in e.flags)
        rows.append(f"<tr><th>Problems</th><td>{problems}</td></tr>")
    return "\n<table>\n" + "".join(rows) + "\n</table>\n"


def _performers(r: AuditReport, e: EditAudit) -> str:
    if e.performers:
        names = []
        for p in e.performers:
            name = r.name(p)
            names.append(_e(name) + (f" <code>{_e(p[:12])}</code>" if name != p else ""))
        text = ", ".join(names)
    else:
        text = "none declared or identified"
    faces = ""
    if e.unidentified_faces:
        faces = f'; <span class="flag">{_e(e.unidentified_faces)} face(s) not matched to a performer</span>'
    return f"{text}\n{faces}"


def _decision(e: EditAudit, receipt: Receipt) -> str:
    reasons = "".join(
        f'<li>{_e(x.get("explanation", ""))} <span class="meta">[{_e(x.get("rule_id", ""))}; '
        f"{_e(x.get('citation', ''))}]</span></li>"
        for x in e.reasons
    )
    return (
        f'<tr><th>Decision</th><td><span class="{_e(_OUTCOME_CLASS.get(e.outcome, ""))}">{_e(e.outcome)}</span> —\n'
        f'<a href="{_e(receipt(e.decision_index))}">ledger entry {_e(e.decision_index)}</a>\n'
        f"<ul>{reasons}</ul></td></tr>\n"
    )


def _basis(r: AuditReport, b: BasisRef, receipt: Receipt) -> str:
    if b.kind == "consent":
        entry = ""
        if b.grant_index is not None:
            entry = f' (<a href="{_e(receipt(b.grant_index))}">ledger entry {_e(b.grant_index)}</a>)'
        if b.status_now == "valid":
            status = '<span class="ok">valid</span>'
        else:
            status = f'<span class="flag">{_e(b.status_now)}</span>'
        text = (
            f"consent grant <code>{_e(b.grant_id)}</code> of {_e(r.name(b.performer_id))}{entry};\n"
            f"signed document SHA-256 <code>{_e(b.document_sha256 or 'unknown')}</code>; status now:\n{status}\n"
        )
    else:
        why = f": {_e(b.justification)}" if b.justification else ""
        text = f"exemption “{_e(b.exemption)}”{why}"
    return f"<li>\n{text}</li>"


def _signoff(e: EditAudit, receipt: Receipt) -> str:
    if e.review:
        v = e.review
        return (
            f"{_e(v.get('verdict', ''))} by {_e(v.get('reviewer', ''))} at {_e(v.get('time', ''))}: "
            f"“{_e(v.get('note', ''))}” —\n"
            f'<a href="{_e(receipt(e.review_index))}">ledger entry {_e(e.review_index)}</a>'  # type: ignore[arg-type]
        )
    if e.outcome == "review":
        return '<span class="review">awaiting legal review</span>'
    return "not required"


def _applied(e: EditAudit, receipt: Receipt) -> str:
    if e.edit_index is not None:
        return f'<a href="{_e(receipt(e.edit_index))}">ledger entry {_e(e.edit_index)}</a>'
    return f"not rendered ({_e(e.state)})"


def _label(e: EditAudit, receipt: Receipt) -> str:
    if e.label_index is not None:
        delivered = f"; delivered as <code>{_e(e.deliverable.split('/')[-1])}</code>" if e.deliverable else ""
        return (
            '<span class="ok">labelled</span> (C2PA manifest, watermark, disclosure) — '
            f'<a href="{_e(receipt(e.label_index))}">ledger entry {_e(e.label_index)}</a>{delivered}\n'
        )
    if e.edit_index is not None:
        return '<span class="flag">missing</span>'
    return "—"


def _resubmission(e: EditAudit, receipt: Receipt) -> list[str]:
    """Rows linking a request to the one it submitted again and the one it was submitted again as."""
    rows = []
    if e.resubmits is not None and e.resubmits_index is not None:
        rows.append(
            f"<tr><th>Submits again</th><td>request {_e(e.resubmits[:12])}, which ended without a deliverable; "
            f'decided afresh — <a href="{_e(receipt(e.resubmits_index))}">ledger entry {_e(e.resubmits_index)}</a>'
            "</td></tr>\n"
        )
    if e.resubmitted_as is not None and e.resubmitted_index is not None:
        rows.append(
            f"<tr><th>Submitted again</th><td>as request {_e(e.resubmitted_as[:12])} — "
            f'<a href="{_e(receipt(e.resubmitted_index))}">ledger entry {_e(e.resubmitted_index)}</a></td></tr>\n'
        )
    return rows
