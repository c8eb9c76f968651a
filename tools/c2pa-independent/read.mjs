#!/usr/bin/env node
// Read one MP4/MOV's C2PA manifest store with @trustnxt/c2pa-ts (a pure TypeScript C2PA implementation, independent
// of c2pa-rs, which Cutproof signs and checks with) and print what it found as one JSON object on stdout.
//
//   node read.mjs FILE [--anchors SIGNER_ROOTS.pem] [--tsa-anchors TSA_ROOTS.pem]
//
// c2pa-ts validates the claim signature (COSE), the certificate profile (C2PA 2.x §14.5), the RFC 3161 time-stamp
// (message imprint and token signature), the hashed URIs of every assertion and the hard binding (BMFF hash) against
// the file's bytes. It does not build a chain of trust (its README: "mostly implemented except chain of trust
// validation"), so this script does that separately with PKI.js's RFC 5280 path validation: the signer's chain from
// the COSE x5chain against --anchors, and the time-stamp token's signer against --tsa-anchors (default: --anchors),
// both at the attested time (the validated time-stamp, else now).
//
// Exit status: 0 when a manifest was read (valid or not: read "result"), 2 for a usage error or an unreadable file,
// 3 when the file is not BMFF. Never throws past the top level: errors are reported in the JSON.
import { readFile } from 'node:fs/promises';
import { webcrypto } from 'node:crypto';
import { BMFF } from '@trustnxt/c2pa-ts/asset';
import { SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import { ManifestStore, ValidationResult } from '@trustnxt/c2pa-ts/manifest';
import { Signature as CoseSignature } from '@trustnxt/c2pa-ts/cose';
import { X509Certificate, PemConverter } from '@peculiar/x509';
import * as pkijs from 'pkijs';

const READER = {
    name: '@trustnxt/c2pa-ts',
    version: '0.9.4',
    chain: 'pkijs 3.4.3 CertificateChainValidationEngine',
    shims: ['MP4/MOV ftyp brands admitted to the BMFF reader', 'sigTst2 token read as ContentInfo (c2pa-ts#546)'],
};
// c2pa-ts 0.9.4 admits only HEIF brands ('heic', 'mif1') to its ISO BMFF reader, although the reader, the C2PA uuid
// box and the BMFF hash (v2/v3) it implements are the ones ISO/IEC 14496-12 video uses. Admit the MP4/MOV brands too:
// this changes which files reach that code, not how they are parsed, hashed or validated.
const VIDEO_BRANDS = ['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'hvc1', 'M4V ', 'qt  ', 'dash'];
for (const brand of VIDEO_BRANDS) BMFF.canReadBrands.add(brand);
// c2pa-ts 0.9.4 parses each sigTst/sigTst2 token as a whole TimeStampResp; C2PA 2.x (§10.3.2.5) and c2pa-rs put the
// TimeStampToken (a CMS ContentInfo) there, so 0.9.4 reports every such signature "Failed to deserialize". Upstream
// fixed this after 0.9.4 (TrustNXT/c2pa-ts#546, "accept both"); do the same here: a token that is not a
// TimeStampResp is read as the ContentInfo of a granted response. The token is then validated by c2pa-ts unchanged
// (message imprint over the COSE CounterSignature structure, CMS signature, TSA certificate profile).
const readTimestamps = CoseSignature.readTimestamps;
CoseSignature.readTimestamps = function* (container, version) {
    if (!container?.tstTokens?.length) return;
    for (const token of container.tstTokens) {
        try {
            pkijs.TimeStampResp.fromBER(token.val);
            yield* readTimestamps.call(this, { tstTokens: [token] }, version);
        } catch {
            let content;
            try {
                content = pkijs.ContentInfo.fromBER(token.val);
            } catch {
                yield* readTimestamps.call(this, { tstTokens: [token] }, version); // c2pa-ts's own error
                continue;
            }
            const status = new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted });
            yield { version, response: new pkijs.TimeStampResp({ status, timeStampToken: content }) };
        }
    }
};
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }));

function usage(message) {
    process.stderr.write(`${message}\nusage: node read.mjs FILE [--anchors ROOTS.pem] [--tsa-anchors ROOTS.pem]\n`);
    process.exit(2);
}

function parseArgs(argv) {
    const args = { file: undefined, anchors: undefined, tsaAnchors: undefined };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--anchors' || a === '--tsa-anchors') {
            if (i + 1 >= argv.length) usage(`${a} needs a PEM file`);
            args[a === '--anchors' ? 'anchors' : 'tsaAnchors'] = argv[++i];
        } else if (a.startsWith('--')) usage(`unknown option ${a}`);
        else if (args.file === undefined) args.file = a;
        else usage(`one file at a time (got ${args.file} and ${a})`);
    }
    if (!args.file) usage('no file given');
    return args;
}

// CBOR/JSON values → JSON: byte strings as {"$bytes": hex}, Maps as objects, Dates as ISO strings.
function plain(value) {
    if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('hex') };
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
    if (Array.isArray(value)) return value.map(plain);
    if (typeof value === 'bigint') return value.toString();
    if (value && typeof value === 'object') {
        if (value.constructor?.name === 'Tag') return { $tag: value.tag, value: plain(value.value) };
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

function rawContent(box) {
    const content = box?.contentBoxes?.[0];
    if (!content) return null;
    if ('content' in content && !(content.content instanceof Uint8Array)) return plain(content.content);
    return { $box: content.type };
}

async function loadPem(path) {
    if (!path) return [];
    const text = await readFile(path, 'utf8');
    return PemConverter.decode(text).map((der) => new X509Certificate(der));
}

function toPkijs(cert) {
    return pkijs.Certificate.fromBER(cert.rawData);
}

// RFC 5280 path validation of [leaf, ...chain] to one of the anchors at `when`.
async function chainTrust(leaf, chain, anchors, when) {
    if (!leaf) return { trusted: false, reason: 'no certificate' };
    if (!anchors.length) return { trusted: false, reason: 'no trust anchors given' };
    const engine = new pkijs.CertificateChainValidationEngine({
        trustedCerts: anchors.map(toPkijs),
        certs: [leaf, ...chain].map(toPkijs),
        checkDate: when,
    });
    try {
        const r = await engine.verify();
        const path = (r.certificatePath ?? []).map((c) => new X509Certificate(c.toSchema().toBER()).subject);
        return r.result
            ? { trusted: true, path, anchor: path[path.length - 1], checked_at: when.toISOString() }
            : { trusted: false, reason: r.resultMessage, checked_at: when.toISOString() };
    } catch (e) {
        return { trusted: false, reason: String(e?.resultMessage ?? e?.message ?? e), checked_at: when.toISOString() };
    }
}

function certFacts(cert) {
    if (!cert) return null;
    const eku = cert.extensions.find((e) => e.type === '2.5.29.37');
    const ku = cert.extensions.find((e) => e.type === '2.5.29.15');
    const bc = cert.extensions.find((e) => e.type === '2.5.29.19');
    return {
        subject: cert.subject,
        issuer: cert.issuer,
        not_before: cert.notBefore.toISOString(),
        not_after: cert.notAfter.toISOString(),
        ekus: eku ? eku.usages.map(String) : [],
        eku_critical: eku ? eku.critical : null,
        key_usage: ku ? ku.usages : null,
        key_usage_critical: ku ? ku.critical : null,
        ca: bc ? bc.ca : false,
        signature_algorithm: cert.signatureAlgorithm?.name ?? null,
    };
}

// The RFC 3161 token on the claim signature (sigTst / sigTst2): its time and the TSA's certificates.
function timeStampFacts(signature) {
    const tokens = signature.timestampTokens ?? [];
    if (!tokens.length) return { present: false };
    const t = tokens[0];
    const out = { present: true, count: tokens.length, header: t.version === 2 ? 'sigTst2' : 'sigTst' };
    try {
        const signed = new pkijs.SignedData({ schema: t.response.timeStampToken.content });
        const info = pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent.getValue());
        out.gen_time = info.genTime.toISOString();
        out.policy = info.policy;
        const certs = (signed.certificates ?? []).filter((c) => c instanceof pkijs.Certificate);
        out.tsa_certificates = certs.map((c) => new X509Certificate(c.toSchema().toBER()));
    } catch (e) {
        out.error = `unreadable token: ${e.message}`;
    }
    return out;
}

function walkStrings(node, path, out) {
    if (typeof node === 'string') out.push({ path, value: node });
    else if (Array.isArray(node)) node.forEach((v, i) => walkStrings(v, `${path}[${i}]`, out));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walkStrings(v, `${path}/${k}`, out);
    return out;
}

async function describe(file, anchors, tsaAnchors) {
    const buf = new Uint8Array(await readFile(file));
    if (!BMFF.canRead(buf)) return { exit: 3, out: { file, reader: READER, error: 'not an ISO BMFF (MP4/MOV) file' } };
    const asset = new BMFF(buf);
    const jumbf = asset.getManifestJUMBF();
    if (!jumbf) return { exit: 0, out: { file, reader: READER, manifest_present: false, result: 'NoManifest' } };

    let store;
    let validation;
    try {
        store = ManifestStore.read(SuperBox.fromBuffer(jumbf));
        validation = await store.validate(asset);
    } catch (e) {
        validation = ValidationResult.fromError(e);
    }
    const statuses = validation.toRepresentation();
    const out = {
        file,
        reader: READER,
        manifest_present: true,
        validation: {
            valid: validation.isValid,
            codes: [...new Set(statuses.map((s) => s.code))],
            failures: statuses.filter((s) => s.success === false),
        },
    };
    const manifest = store?.getActiveManifest();
    if (!manifest?.claim) {
        out.result = 'Invalid';
        return { exit: 0, out };
    }
    const claim = manifest.claim;
    const created = new Set(claim.assertions.map((a) => a.uri));
    const gathered = new Set(claim.gatheredAssertions.map((a) => a.uri));
    const inClaim = (set, a) => [...set].some((u) => u.endsWith(`c2pa.assertions/${a.sourceBox?.descriptionBox?.label}`));

    const assertions = (manifest.assertions?.assertions ?? []).map((a) => ({
        label: a.sourceBox?.descriptionBox?.label ?? a.fullLabel,
        kind: inClaim(created, a) ? 'created' : inClaim(gathered, a) ? 'gathered' : 'unreferenced',
        data: a.label?.startsWith('c2pa.hash.') ? { $omitted: 'hash binding' } : rawContent(a.sourceBox),
    }));
    const actionAssertions = manifest.assertions?.getActionAssertions() ?? [];
    // The typed actions (c2pa-ts's reading) plus, from the same CBOR, what c2pa-ts does not map (description).
    const actions = actionAssertions.flatMap((aa) =>
        aa.actions.map((act, i) => ({
            assertion: aa.sourceBox?.descriptionBox?.label,
            action: act.action,
            digitalSourceType: act.digitalSourceType ?? null,
            softwareAgent: act.softwareAgent
                ? { name: act.softwareAgent.name ?? null, version: act.softwareAgent.version ?? null }
                : null,
            description: act.description ?? rawContent(aa.sourceBox)?.actions?.[i]?.description ?? null,
            parameters: plain(
                Object.fromEntries(Object.entries(act.parameters ?? {}).filter(([k]) => k !== 'ingredients')),
            ),
            ingredient_urls: (act.parameters?.ingredients ?? []).map((h) => h.uri),
        })),
    );
    const ingredients = (manifest.assertions?.assertions ?? [])
        .filter((a) => a.label?.startsWith('c2pa.ingredient'))
        .map((ing) => ({
            label: ing.sourceBox?.descriptionBox?.label,
            version: ing.version,
            relationship: ing.relationship ?? null,
            title: ing.title ?? null,
            format: ing.format ?? null,
            instanceID: ing.instanceID ?? null,
            has_manifest: Boolean(ing.activeManifest ?? ing.c2pa_manifest),
            manifest_url: (ing.activeManifest ?? ing.c2pa_manifest)?.uri ?? null,
            validation_results: ing.validationResults ? plain(ing.validationResults) : null,
        }));

    const sig = manifest.signature?.signatureData;
    const leaf = sig?.certificate;
    const ts = sig ? timeStampFacts(sig) : { present: false };
    const tsValidated = out.validation.codes.includes('timeStamp.trusted') && sig?.timestamp instanceof Date;
    const when = tsValidated ? sig.timestamp : new Date();
    const trust = await chainTrust(leaf, sig?.chainCertificates ?? [], anchors, when);
    if (ts.present) {
        ts.validated_by_reader = tsValidated;
        const [tsaLeaf, ...tsaChain] = ts.tsa_certificates ?? [];
        ts.tsa_trust = await chainTrust(tsaLeaf, tsaChain, tsaAnchors, ts.gen_time ? new Date(ts.gen_time) : when);
        ts.tsa_signer = tsaLeaf ? certFacts(tsaLeaf) : null;
        delete ts.tsa_certificates;
    }

    Object.assign(out, {
        result: !validation.isValid ? 'Invalid' : trust.trusted ? 'Trusted' : 'Valid',
        trust,
        manifests_in_store: store.manifests.length,
        active_manifest: {
            label: manifest.label,
            claim_version: claim.version === 1 ? 2 : 1,
            claim_label: claim.label,
            claim_generator: claim.claimGeneratorName ?? null,
            claim_generator_version: claim.claimGeneratorVersion ?? null,
            title: claim.title ?? null,
            format: claim.format ?? null,
            instance_id: claim.instanceID ?? null,
            created_assertions: claim.assertions.map((a) => a.uri),
            gathered_assertions: claim.gatheredAssertions.map((a) => a.uri),
            redacted_assertions: claim.redactedAssertions.map((a) => a.uri),
        },
        assertion_labels: assertions.map((a) => a.label),
        assertions,
        actions,
        watermarked_actions: actions.filter((a) => a.action === 'c2pa.watermarked'),
        soft_bindings: assertions.filter((a) => a.label.startsWith('c2pa.soft-binding')),
        ingredients,
        time_stamp: ts,
        signer: { ...certFacts(leaf), chain_length: 1 + (sig?.chainCertificates?.length ?? 0) },
    });
    out.strings = walkStrings(
        {
            claim: { title: claim.title, format: claim.format, instanceID: claim.instanceID },
            assertions: assertions.map((a) => ({ [a.label]: a.data })),
        },
        '',
        [],
    );
    return { exit: 0, out };
}

const args = parseArgs(process.argv.slice(2));
let anchors;
let tsaAnchors;
try {
    anchors = await loadPem(args.anchors);
    tsaAnchors = args.tsaAnchors ? await loadPem(args.tsaAnchors) : anchors;
} catch (e) {
    usage(`cannot read trust anchors: ${e.message}`);
}
let result;
try {
    result = await describe(args.file, anchors, tsaAnchors);
} catch (e) {
    if (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES') usage(`cannot read ${args.file}: ${e.message}`);
    result = { exit: 0, out: { file: args.file, reader: READER, result: 'Invalid', error: String(e?.stack ?? e) } };
}
process.stdout.write(JSON.stringify(result.out) + '\n');
process.exit(result.exit);
