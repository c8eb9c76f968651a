from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'audit.html.j2'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_r = resolve('r')
    l_0_summary = resolve('summary')
    try:
        t_1 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Consent and AI-edit audit — '
    yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'project'))
    yield '</title>\n<style>\n  body { font-family: Georgia, "Times New Roman", serif; margin: 2.5em auto; max-width: 60em; color: #111; line-height: 1.45; }\n  h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { font-size: 1.2em; border-bottom: 1px solid #999; margin-top: 2em; }\n  .meta { color: #444; font-size: .9em; } .flag { background: #fde2e1; color: #8a1c14; padding: 0 .35em; border-radius: 3px; font-weight: bold; }\n  .ok { color: #1d6b2a; font-weight: bold; } .deny { color: #8a1c14; font-weight: bold; } .review { color: #8a5a00; font-weight: bold; }\n  table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: .92em; }\n  th, td { border: 1px solid #bbb; padding: .3em .5em; text-align: left; vertical-align: top; }\n  th { background: #f1f1f1; width: 13em; } code { font-size: .85em; word-break: break-all; }\n  .summary td, .summary th { width: auto; } a { color: #0b4f9c; }\n  @media print { a { color: #000; } body { margin: 1em; } h2 { page-break-before: auto; } table { page-break-inside: avoid; } }\n</style>\n</head>\n<body>\n<h1>Consent and AI-edit audit</h1>\n<p class="meta">Project <strong>'
    yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'project'))
    yield '</strong> · ledger <code>'
    yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'origin'))
    yield '</code> · generated '
    yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'generated_at'))
    yield ' UTC ·\nlog size '
    yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'log_size'))
    if environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'timeline'):
        pass
        yield ' · timeline <code>'
        yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'timeline'))
        yield '</code>'
    yield '</p>\n<p>This report lists every shot of the project, every AI edit requested on it, the consent or exemption each edit relied on,\nwho signed off, and whether the delivered file was labelled. Each statement links to a <em>receipt</em>: a cryptographic\nproof that the record is in the project\'s append-only ledger, checkable offline by anyone holding the project\'s\nverification key.</p>\n\n<table class="summary">\n<tr><th>Shots</th><th>Shots edited</th><th>Edit requests</th><th>Delivered</th><th>Denied</th><th>Awaiting review</th><th>Shots with problems</th></tr>\n<tr><td>'
    yield escape(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'shots'))
    yield '</td><td>'
    yield escape(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'shots_edited'))
    yield '</td><td>'
    yield escape(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'edit_requests'))
    yield '</td><td>'
    yield escape(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'delivered'))
    yield '</td>\n<td>'
    yield escape(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'denied'))
    yield '</td><td>'
    yield escape(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'awaiting_review'))
    yield '</td><td>'
    if environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'flagged_shots'):
        pass
        yield '<span class="flag">'
        yield escape(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'flagged_shots'))
        yield '</span>'
    else:
        pass
        yield '0'
    yield '</td></tr>\n</table>\n\n'
    l_1_loop = missing
    for l_1_s, l_1_loop in LoopContext(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'shots'), undefined):
        _loop_vars = {}
        pass
        yield '\n<h2>Scene '
        yield escape((environment.getattr(l_1_s, 'scene') or '?'))
        yield ' · shot '
        yield escape((environment.getattr(l_1_s, 'shot') or '?'))
        if (not t_1(environment.getattr(l_1_s, 'take'))):
            pass
            yield ' · take '
            yield escape(environment.getattr(l_1_s, 'take'))
        yield ' — '
        yield escape(environment.getattr(l_1_s, 'file_name'))
        yield '\n'
        for l_2_f in environment.getattr(l_1_s, 'flags'):
            _loop_vars = {}
            pass
            yield ' <span class="flag">'
            yield escape(l_2_f)
            yield '</span>'
        l_2_f = missing
        yield '</h2>\n<p class="meta">Clip SHA-256 <code>'
        yield escape(environment.getattr(l_1_s, 'clip_hash'))
        yield '</code>'
        if environment.getattr(l_1_s, 'timeline_ranges'):
            pass
            yield ' · used in the timeline at frames\n'
            l_2_loop = missing
            for l_2_rg, l_2_loop in LoopContext(environment.getattr(l_1_s, 'timeline_ranges'), undefined):
                _loop_vars = {}
                pass
                yield escape(environment.getitem(l_2_rg, 0))
                yield '–'
                yield escape(environment.getitem(l_2_rg, 1))
                if (not environment.getattr(l_2_loop, 'last')):
                    pass
                    yield ', '
            l_2_loop = l_2_rg = missing
        yield '</p>\n'
        if (not environment.getattr(l_1_s, 'edits')):
            pass
            yield '<p>No AI edits were requested on this shot.</p>'
        yield '\n'
        l_2_loop = missing
        for l_2_e, l_2_loop in LoopContext(environment.getattr(l_1_s, 'edits'), undefined):
            l_2_receipt = resolve('receipt')
            _loop_vars = {}
            pass
            yield '\n<table>\n<tr><th>Edit</th><td>'
            yield escape(environment.getattr(l_2_e, 'kind'))
            yield ' for '
            yield escape(context.call(environment.getattr(environment.getattr(l_2_e, 'purpose'), 'replace'), '_', ' ', _loop_vars=_loop_vars))
            yield '; frames '
            yield escape(environment.getitem(environment.getattr(l_2_e, 'frames'), 0))
            yield '–'
            yield escape((environment.getitem(environment.getattr(l_2_e, 'frames'), 1) if (not t_1(environment.getitem(environment.getattr(l_2_e, 'frames'), 1))) else 'end'))
            if environment.getattr(l_2_e, 'region'):
                pass
                yield '; region '
                yield escape(environment.getattr(l_2_e, 'region'))
            yield '\n <span class="meta">(request '
            yield escape(environment.getattr(l_2_e, 'request_id')[:12])
            yield ')</span></td></tr>\n<tr><th>Performers affected</th><td>'
            if environment.getattr(l_2_e, 'performers'):
                pass
                l_3_loop = missing
                for l_3_p, l_3_loop in LoopContext(environment.getattr(l_2_e, 'performers'), undefined):
                    _loop_vars = {}
                    pass
                    yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'name'), l_3_p, _loop_vars=_loop_vars))
                    if (context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'name'), l_3_p, _loop_vars=_loop_vars) != l_3_p):
                        pass
                        yield ' <code>'
                        yield escape(l_3_p[:12])
                        yield '</code>'
                    if (not environment.getattr(l_3_loop, 'last')):
                        pass
                        yield ', '
                l_3_loop = l_3_p = missing
            else:
                pass
                yield 'none declared or identified'
            yield '\n'
            if environment.getattr(l_2_e, 'unidentified_faces'):
                pass
                yield '; <span class="flag">'
                yield escape(environment.getattr(l_2_e, 'unidentified_faces'))
                yield ' face(s) not matched to a performer</span>'
            yield '</td></tr>\n<tr><th>Decision</th><td><span class="'
            yield escape(environment.getitem({'allow': 'ok', 'deny': 'deny', 'review': 'review'}, environment.getattr(l_2_e, 'outcome')))
            yield '">'
            yield escape(environment.getattr(l_2_e, 'outcome'))
            yield '</span> —\n<a href="'
            yield escape(context.call((undefined(name='receipt') if l_2_receipt is missing else l_2_receipt), environment.getattr(l_2_e, 'decision_index'), _loop_vars=_loop_vars))
            yield '">ledger entry '
            yield escape(environment.getattr(l_2_e, 'decision_index'))
            yield '</a>\n<ul>'
            for l_3_reason in environment.getattr(l_2_e, 'reasons'):
                _loop_vars = {}
                pass
                yield '<li>'
                yield escape(environment.getattr(l_3_reason, 'explanation'))
                yield ' <span class="meta">['
                yield escape(environment.getattr(l_3_reason, 'rule_id'))
                yield '; '
                yield escape(environment.getattr(l_3_reason, 'citation'))
                yield ']</span></li>'
            l_3_reason = missing
            yield '</ul></td></tr>\n<tr><th>Basis relied on</th><td>'
            if (not environment.getattr(l_2_e, 'basis')):
                pass
                yield 'none'
            yield '<ul>'
            for l_3_b in environment.getattr(l_2_e, 'basis'):
                _loop_vars = {}
                pass
                yield '<li>\n'
                if (environment.getattr(l_3_b, 'kind') == 'consent'):
                    pass
                    yield 'consent grant <code>'
                    yield escape(environment.getattr(l_3_b, 'grant_id'))
                    yield '</code> of '
                    yield escape(context.call(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'name'), environment.getattr(l_3_b, 'performer_id'), _loop_vars=_loop_vars))
                    if (not t_1(environment.getattr(l_3_b, 'grant_index'))):
                        pass
                        yield ' (<a href="'
                        yield escape(context.call((undefined(name='receipt') if l_2_receipt is missing else l_2_receipt), environment.getattr(l_3_b, 'grant_index'), _loop_vars=_loop_vars))
                        yield '">ledger entry '
                        yield escape(environment.getattr(l_3_b, 'grant_index'))
                        yield '</a>)'
                    yield ';\nsigned document SHA-256 <code>'
                    yield escape((environment.getattr(l_3_b, 'document_sha256') or 'unknown'))
                    yield '</code>; status now:\n'
                    if (environment.getattr(l_3_b, 'status_now') == 'valid'):
                        pass
                        yield '<span class="ok">valid</span>'
                    else:
                        pass
                        yield '<span class="flag">'
                        yield escape(environment.getattr(l_3_b, 'status_now'))
                        yield '</span>'
                    yield '\n'
                else:
                    pass
                    yield 'exemption “'
                    yield escape(environment.getattr(l_3_b, 'exemption'))
                    yield '”'
                    if environment.getattr(l_3_b, 'justification'):
                        pass
                        yield ': '
                        yield escape(environment.getattr(l_3_b, 'justification'))
                yield '</li>'
            l_3_b = missing
            yield '</ul></td></tr>\n<tr><th>Sign-off</th><td>'
            if environment.getattr(l_2_e, 'review'):
                pass
                yield escape(environment.getattr(environment.getattr(l_2_e, 'review'), 'verdict'))
                yield ' by '
                yield escape(environment.getattr(environment.getattr(l_2_e, 'review'), 'reviewer'))
                yield ' at '
                yield escape(environment.getattr(environment.getattr(l_2_e, 'review'), 'time'))
                yield ': “'
                yield escape(environment.getattr(environment.getattr(l_2_e, 'review'), 'note'))
                yield '” —\n<a href="'
                yield escape(context.call((undefined(name='receipt') if l_2_receipt is missing else l_2_receipt), environment.getattr(l_2_e, 'review_index'), _loop_vars=_loop_vars))
                yield '">ledger entry '
                yield escape(environment.getattr(l_2_e, 'review_index'))
                yield '</a>'
            elif (environment.getattr(l_2_e, 'outcome') == 'review'):
                pass
                yield '<span class="review">awaiting legal review</span>'
            else:
                pass
                yield 'not required'
            yield '</td></tr>\n<tr><th>Edit applied</th><td>'
            if (not t_1(environment.getattr(l_2_e, 'edit_index'))):
                pass
                yield '<a href="'
                yield escape(context.call((undefined(name='receipt') if l_2_receipt is missing else l_2_receipt), environment.getattr(l_2_e, 'edit_index'), _loop_vars=_loop_vars))
                yield '">ledger entry '
                yield escape(environment.getattr(l_2_e, 'edit_index'))
                yield '</a>'
            else:
                pass
                yield 'not rendered ('
                yield escape(environment.getattr(l_2_e, 'state'))
                yield ')'
            yield '</td></tr>\n<tr><th>Label</th><td>'
            if (not t_1(environment.getattr(l_2_e, 'label_index'))):
                pass
                yield '<span class="ok">labelled</span> (C2PA manifest, watermark, disclosure) — <a href="'
                yield escape(context.call((undefined(name='receipt') if l_2_receipt is missing else l_2_receipt), environment.getattr(l_2_e, 'label_index'), _loop_vars=_loop_vars))
                yield '">ledger entry '
                yield escape(environment.getattr(l_2_e, 'label_index'))
                yield '</a>'
                if environment.getattr(l_2_e, 'deliverable'):
                    pass
                    yield '; delivered as <code>'
                    yield escape(environment.getitem(context.call(environment.getattr(environment.getattr(l_2_e, 'deliverable'), 'split'), '/', _loop_vars=_loop_vars), -1))
                    yield '</code>'
                yield '\n'
            elif (not t_1(environment.getattr(l_2_e, 'edit_index'))):
                pass
                yield '<span class="flag">missing</span>'
            else:
                pass
                yield '—'
            yield '</td></tr>\n'
            if environment.getattr(l_2_e, 'flags'):
                pass
                yield '<tr><th>Problems</th><td>'
                for l_3_f in environment.getattr(l_2_e, 'flags'):
                    _loop_vars = {}
                    pass
                    yield '<span class="flag">'
                    yield escape(l_3_f)
                    yield '</span> '
                l_3_f = missing
                yield '</td></tr>'
            yield '\n</table>\n'
        l_2_loop = l_2_e = l_2_receipt = missing
        yield '\n'
    l_1_loop = l_1_s = missing
    yield '\n\n<h2>The checkpoint this report was checked against</h2>\n<pre>'
    yield escape(environment.getattr((undefined(name='r') if l_0_r is missing else l_0_r), 'checkpoint'))
    yield '</pre>\n</body>\n</html>'

blocks = {}
debug_info = '5=20&20=22&21=28&29=35&30=43&33=57&34=61&35=71&36=79&37=85&38=96&39=101&41=106&42=118&43=120&44=140&45=146&46=150&47=154&48=166&49=174&50=188&51=190&52=202&53=211&54=221&55=232&56=245&57=258&58=265&64=281'

# Generated from templates/audit.html.j2 by `python -m cutproof.audit._template`: do not edit.
