"""The printable HTML audit (``cutproof.audit.html``): every value escaped, every claim linked to its receipt."""

from __future__ import annotations

from html.parser import HTMLParser

from cutproof.audit.build import AuditReport, BasisRef, EditAudit, ShotAudit
from cutproof.audit.html import render

HOSTILE = "<b onmouseover='x'>&\"</b>"
ESCAPED = "&lt;b onmouseover=&#39;x&#39;&gt;&amp;&#34;&lt;/b&gt;"
VOID = {"meta", "br", "hr", "img", "input", "link"}


class _Balance(HTMLParser):
    """Open/close tags in order; any element a value could have injected shows up here."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k == "href"]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def _report(text: str) -> AuditReport:
    consent = BasisRef("consent", "prf_1", grant_id=text, document_sha256=None, grant_index=3, status_now="revoked")
    exemption = BasisRef("exemption", None, exemption=text, justification=text)
    delivered = EditAudit(
        request_id="req_" + text, kind="relight", purpose="continuity_fix", frames=[0, None], region=text,
        outcome="allow", state="delivered", decision_index=5, performers=["prf_1", "prf_2"], unidentified_faces=2,
        basis=[consent, exemption], reasons=[{"explanation": text, "rule_id": text, "citation": text}],
        review={"verdict": "approve", "reviewer": text, "time": "2026-06-01T10:00:00Z", "note": text},
        review_index=6, edit_index=7, label_index=None, deliverable=None, flags=["label-missing"],
    )  # fmt: skip
    waiting = EditAudit(
        request_id="req_2", kind="dialogue", purpose="adr", frames=[10, 20], region=None, outcome="review",
        state="awaiting_review", decision_index=8, performers=[], unidentified_faces=0,
    )  # fmt: skip
    shot = ShotAudit("ab" * 32, text, scene=text, shot=None, take=2, edits=[delivered, waiting],
                     timeline_ranges=[[0, 24], [48, 72]])  # fmt: skip
    bare = ShotAudit("cd" * 32, "b.mov", scene=None, shot=None, take=None)
    return AuditReport(
        project=text, origin="cutproof.local/" + text, generated_at="2026-06-02T00:00:00", checkpoint=text,
        log_size=9, shots=[shot, bare], timeline=text, performers={"prf_1": text},
    )  # fmt: skip


def test_every_value_is_escaped_and_the_markup_stays_balanced() -> None:
    html = render(_report(HOSTILE), lambda i: f"receipts/{i}.tlog-proof")
    assert "onmouseover='x'" not in html and "<b " not in html
    # project (title, header), origin, timeline, scene, file, region, name (performers, grant), grant id,
    # exemption, justification, reason (three fields), reviewer, note, checkpoint
    assert html.count(ESCAPED) == 18
    parsed = _Balance()
    parsed.feed(html)
    assert parsed.errors == [] and parsed.stack == [] and "b" not in parsed.tags


def test_every_claim_links_to_its_receipt_and_states_what_is_missing() -> None:
    html = render(_report("Mara Quinn"), lambda i: f"/r/{i}?size=9&x=1")
    parsed = _Balance()
    parsed.feed(html)
    # decision, grant, sign-off, edit applied of the first edit; the second edit's decision
    assert parsed.links == ["/r/5?size=9&x=1", "/r/3?size=9&x=1", "/r/6?size=9&x=1", "/r/7?size=9&x=1",
                            "/r/8?size=9&x=1"]  # fmt: skip
    assert 'href="/r/5?size=9&amp;x=1"' in html  # the link itself escaped in the attribute
    assert "frames 0–end" in html and "Mara Quinn <code>prf_1</code>, prf_2" in html
    assert '<span class="flag">2 face(s) not matched to a performer</span>' in html
    assert "signed document SHA-256 <code>unknown</code>" in html and '<span class="flag">revoked</span>' in html
    assert '<span class="flag">missing</span>' in html  # rendered, not labelled
    assert '<span class="review">awaiting legal review</span>' in html and "not rendered (awaiting_review)" in html
    assert "No AI edits were requested on this shot." in html and "Scene ? · shot ? — b.mov" in html
    assert "used in the timeline at frames\n0–24, 48–72" in html
    assert '<td><span class="flag">1</span></td></tr>' in html  # one shot with problems, in the summary
