"""Delivery QC in plain language: a title and a one-sentence explanation of each check, for people who are
not engineers (the CLI's HTML report and the console use the same words)."""

EXPLAIN = {
    "c2pa_manifest": "A signed statement inside the file saying it was edited with AI, "
    "signed by this production's certificate.",
    "hard_binding": "The signature covers the file's exact bytes: any change after delivery is detected.",
    "watermark": "An invisible mark in the pictures that survives re-encoding and points back to the edit record.",
    "audio_watermark": "A mark in the dialogue track carrying the same key: extra evidence, and a way back to "
    "the edit record when the pictures lost theirs. Not applicable to files without sound.",
    "ledger_entry": "The edit is recorded in the production's tamper-evident log.",
    "ledger_receipt": "A cryptographic receipt in the file proves the log contains that record.",
    "ledger_consistency": "The log has only grown since the receipt was issued: nothing was rewritten.",
    "label_recorded": "The log records that this exact label was issued for the edit.",
    "decision": "The consent and policy gate allowed the edit (or legal approved it after review).",
    "consent_at_edit": "The performers' consent relied on was in force when the edit was made.",
    "consent_current": "No consent relied on has been revoked or suspended since the edit.",
    "disclosure": "The AI disclosure required for this release (on-screen badge, end credits, sidecar) is present.",
}

TITLES = {
    "c2pa_manifest": "Content Credentials (C2PA)",
    "hard_binding": "File unchanged since signing",
    "watermark": "Invisible watermark",
    "audio_watermark": "Audio watermark",
    "ledger_entry": "Edit record in the ledger",
    "ledger_receipt": "Ledger receipt",
    "ledger_consistency": "Ledger consistency",
    "label_recorded": "Label recorded",
    "decision": "Gate decision",
    "consent_at_edit": "Consent at the time of the edit",
    "consent_current": "Consent still in force",
    "disclosure": "AI disclosure",
}
