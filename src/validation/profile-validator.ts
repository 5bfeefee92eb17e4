/**
 * Checks a resource against a profile snapshot: what @medplum/core's validator skips or gets wrong (see
 * docs/validation.md). It walks the snapshot element tree over the instance and checks, at every level including
 * inside slices and in member profiles (identifier, extension, entry resource profiles):
 * cardinality the profile changed, fixed and pattern values, slicing (value, pattern, type, profile and exists
 * discriminators, resolving into member profiles and through references), required bindings to value sets we can
 * expand, the profile's own invariants (error and warning), and the type of referenced resources.
 */
import { deepEquals, evalFhirPathTyped, toTypedValue } from '@medplum/core';
import type { ElementDefinition, OperationOutcomeIssue, Reference, Resource } from '@medplum/fhirtypes';
import type { Conformance, LoadedProfile } from './conformance.ts';

/** What the walk needs besides the profile. */
export interface WalkContext {
  conf: Conformance;
  /** Resolves a reference found in `fromResource`; undefined when it does not resolve. */
  resolve(reference: string): Resource | undefined;
  issues: OperationOutcomeIssue[];
  /** The resource being walked (FHIRPath %resource). */
  resource?: Resource;
}

type Json = Record<string, unknown>;

const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function issue(
  ctx: WalkContext,
  severity: OperationOutcomeIssue['severity'],
  code: OperationOutcomeIssue['code'],
  path: string,
  text: string
): void {
  ctx.issues.push({ severity, code, details: { text }, expression: [path] });
}

function lastSegment(id: string): string {
  const seg = id.slice(id.lastIndexOf('.') + 1);
  return seg.includes(':') ? seg.slice(0, seg.indexOf(':')) : seg;
}

/** The values of a child element (`value[x]` matches `valueString`, `valueCodeableConcept`, ...). */
function childValues(node: Json, name: string): { key: string; value: unknown }[] {
  if (name.endsWith('[x]')) {
    const prefix = name.slice(0, -3);
    return Object.keys(node)
      .filter((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)))
      .flatMap((key) => asArray(node[key]).map((value) => ({ key, value })));
  }
  return asArray(node[name]).map((value) => ({ key: name, value }));
}

function fixedOrPattern(el: ElementDefinition | undefined): { kind: 'fixed' | 'pattern'; value: unknown } | undefined {
  if (!el) {
    return undefined;
  }
  for (const [k, v] of Object.entries(el)) {
    if (k.startsWith('fixed')) {
      return { kind: 'fixed', value: v };
    }
    if (k.startsWith('pattern')) {
      return { kind: 'pattern', value: v };
    }
  }
  return undefined;
}

/** True when `value` contains everything in `pattern` (arrays: each pattern item matched by some value item). */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    const values = asArray(value);
    return pattern.every((p) => values.some((v) => matchesPattern(v, p)));
  }
  if (Array.isArray(value)) {
    return value.some((v) => matchesPattern(v, pattern));
  }
  if (isObject(pattern)) {
    return isObject(value) && Object.entries(pattern).every(([k, p]) => matchesPattern(value[k], p));
  }
  return value === pattern;
}

/** Values at a simple dotted path (`type.coding.code`), flattening arrays. */
function valuesAt(node: unknown, path: string): unknown[] {
  if (path === '$this' || path === '') {
    return [node];
  }
  return path
    .split('.')
    .reduce<unknown[]>(
      (nodes, seg) => nodes.flatMap((n) => (isObject(n) ? childValues(n, seg).map((c) => c.value) : [])),
      [node]
    );
}

/** Builds the pattern a discriminator path must match: from the element itself or from its fixed descendants. */
function expectedAt(p: LoadedProfile, baseId: string, path: string, ctx: WalkContext): unknown {
  const direct = fixedOrPattern(p.byId.get(path === '$this' ? baseId : `${baseId}.${path}`));
  if (direct) {
    return direct.value;
  }
  // Values fixed further down, possibly inside re-slices (`coding:none.code` answers the path `coding.code`).
  const pattern: Json = {};
  for (const [otherId, el] of p.byId) {
    const fp = otherId.startsWith(`${baseId}.`) ? fixedOrPattern(el) : undefined;
    if (!fp) {
      continue;
    }
    const rel = otherId.slice(baseId.length + 1).replace(/:[^.]+/g, '');
    if (rel === path) {
      return fp.value;
    }
    const rest = path === '$this' ? rel : rel.startsWith(`${path}.`) ? rel.slice(path.length + 1) : undefined;
    if (rest) {
      const keys = rest.split('.');
      let target = pattern;
      keys.slice(0, -1).forEach((k) => {
        target = (target[k] ??= {}) as Json;
      });
      target[keys[keys.length - 1]] = fp.value;
    }
  }
  if (Object.keys(pattern).length) {
    return pattern;
  }
  // Look into the slice's member profile (e.g. an Identifier profile fixing `system`).
  const el = p.byId.get(baseId);
  for (const type of el?.type ?? []) {
    for (const url of type.profile ?? []) {
      if (path === 'url' && type.code === 'Extension') {
        return url;
      }
      const member = ctx.conf.profile(url);
      if (member) {
        const found = expectedAt(member, member.sd.type ?? '', path, ctx);
        if (found !== undefined) {
          return found;
        }
      }
    }
  }
  return undefined;
}

function typeOfProfile(url: string, ctx: WalkContext): string {
  return ctx.conf.profile(url)?.sd.type ?? url.replace(CORE_SD, '');
}

function targetOf(node: unknown, ctx: WalkContext): Resource | undefined {
  if (isObject(node) && typeof node.resourceType === 'string') {
    return node as unknown as Resource;
  }
  const ref = isObject(node) ? (node as Reference).reference : undefined;
  return ref ? ctx.resolve(ref) : undefined;
}

function referencedType(node: unknown, ctx: WalkContext): string | undefined {
  if (!isObject(node)) {
    return undefined;
  }
  if (typeof node.resourceType === 'string') {
    return node.resourceType;
  }
  const r = node as Reference;
  return targetOf(r, ctx)?.resourceType ?? r.type ?? /^([A-Z][A-Za-z]+)\/[^/]+$/.exec(r.reference ?? '')?.[1];
}

/** Whether a value conforms to a profile; `trustClaim` accepts a meta.profile claim (slice discrimination only). */
function conformsTo(resource: unknown, url: string, ctx: WalkContext, trustClaim = true): boolean {
  const type = ctx.conf.profile(url)?.sd.type;
  if (isObject(resource) && typeof resource.resourceType === 'string' && type && resource.resourceType !== type) {
    return false;
  }
  if (trustClaim && isObject(resource) && asArray((resource.meta as Json | undefined)?.profile).includes(url)) {
    return true;
  }
  const sink: WalkContext = { ...ctx, issues: [] };
  validateProfile(url, resource, '', sink);
  return !sink.issues.some((i) => i.severity === 'error');
}

function sliceMatches(
  p: LoadedProfile,
  slicedId: string,
  slice: ElementDefinition,
  value: unknown,
  ctx: WalkContext
): boolean {
  const sliceId = slice.id ?? '';
  const discriminators = p.byId.get(slicedId)?.slicing?.discriminator ?? [];
  return discriminators.every((d) => {
    const path = (d.path ?? '$this').replace(/^\$this\.?/, '') || '$this';
    const plainPath = path.replace(/\.?resolve\(\)$/, '') || '$this';
    const atPath = plainPath === '$this' ? sliceId : `${sliceId}.${plainPath}`;
    switch (d.type) {
      case 'value':
      case 'pattern': {
        const expected = expectedAt(p, sliceId, plainPath, ctx);
        return expected !== undefined && valuesAt(value, plainPath).some((v) => matchesPattern(v, expected));
      }
      case 'exists':
        return valuesAt(value, plainPath).length > 0 === (p.byId.get(atPath)?.min ?? 0) > 0;
      case 'type': {
        const el = p.byId.get(atPath) ?? slice;
        const allowed = (el.type ?? []).flatMap((t) =>
          t.code === 'Reference' || (t.targetProfile?.length && plainPath !== '$this')
            ? (t.targetProfile ?? []).map((u) => typeOfProfile(u, ctx))
            : [t.code ?? '']
        );
        return valuesAt(value, plainPath).some((v) => {
          const t = referencedType(v, ctx);
          return (t !== undefined && allowed.includes(t)) || (!isObject(v) && allowed.length === 0);
        });
      }
      case 'profile': {
        const el = p.byId.get(atPath) ?? slice;
        const urls = (el.type ?? []).flatMap((t) => [...(t.profile ?? []), ...(t.targetProfile ?? [])]);
        return valuesAt(value, plainPath).some((v) => {
          const target = targetOf(v, ctx) ?? v;
          return urls.some((u) => conformsTo(target, u, ctx));
        });
      }
      default:
        return false;
    }
  });
}

function checkCardinality(el: ElementDefinition, count: number, path: string, label: string, ctx: WalkContext): void {
  const min = el.min ?? 0;
  const max = el.max === '*' || el.max === undefined ? Infinity : Number(el.max);
  if (count < min) {
    issue(ctx, 'error', 'required', path, `${label}: minimum required = ${min}, but only found ${count}`);
  }
  if (count > max) {
    issue(ctx, 'error', 'structure', path, `${label}: maximum allowed = ${el.max ?? ''}, but found ${count}`);
  }
}

function changedFromBase(el: ElementDefinition): boolean {
  return (el.id ?? '').includes(':') || el.min !== (el.base?.min ?? el.min) || el.max !== (el.base?.max ?? el.max);
}

function codesOf(value: unknown, type: string | undefined): { system?: string; code?: string }[] {
  if (typeof value === 'string') {
    return [{ code: value }];
  }
  if (!isObject(value)) {
    return [];
  }
  if (type === 'Coding') {
    return [value];
  }
  return asArray(value.coding) as { system?: string; code?: string }[];
}

function checkBinding(el: ElementDefinition, value: unknown, path: string, ctx: WalkContext): void {
  const binding = el.binding;
  if (binding?.strength !== 'required' || !binding.valueSet) {
    return;
  }
  const type = el.type?.[0]?.code;
  if (!['code', 'Coding', 'CodeableConcept'].includes(type ?? '')) {
    return;
  }
  const codes = ctx.conf.expand(binding.valueSet);
  if (!codes) {
    return; // not expandable offline: documented as not checked
  }
  const given = codesOf(value, type);
  const ok = given.some((c) =>
    type === 'code'
      ? [...codes].some((k) => k.endsWith(`|${c.code ?? ''}`))
      : codes.has(`${c.system ?? ''}|${c.code ?? ''}`)
  );
  if (!ok && (given.length > 0 || type === 'CodeableConcept')) {
    const shown =
      given.map((c) => (c.system ? `${c.system}|${c.code ?? ''}` : (c.code ?? ''))).join(', ') || '(no coding)';
    issue(ctx, 'error', 'code-invalid', path, `value ${shown} is not in the required value set ${binding.valueSet}`);
  }
}

function checkConstraints(el: ElementDefinition, value: unknown, path: string, ctx: WalkContext): void {
  for (const c of el.constraint ?? []) {
    // Core invariants (ele-1, dom-*, bdl-*, ...) are evaluated by @medplum/core; the profiles' own are checked here.
    if (!c.expression || c.source?.startsWith(CORE_SD)) {
      continue;
    }
    try {
      const typed =
        isObject(value) && typeof value.resourceType === 'string'
          ? toTypedValue(value)
          : { type: el.type?.[0]?.code ?? 'BackboneElement', value };
      const variables = ctx.resource ? { '%resource': toTypedValue(ctx.resource) } : undefined;
      const result = evalFhirPathTyped(c.expression, [typed], variables);
      const passed = result.length > 0 && result.every((r) => r.value === true);
      if (!passed) {
        issue(
          ctx,
          c.severity === 'warning' ? 'warning' : 'error',
          'invariant',
          path,
          `Constraint ${c.key ?? ''} not met: ${c.human ?? c.expression}`
        );
      }
    } catch (err) {
      issue(
        ctx,
        'warning',
        'informational',
        path,
        `Constraint ${c.key ?? ''} could not be evaluated: ${(err as Error).message}`
      );
    }
  }
}

function checkReferenceTarget(el: ElementDefinition, value: unknown, path: string, ctx: WalkContext): void {
  const targets = (el.type ?? []).filter((t) => t.code === 'Reference').flatMap((t) => t.targetProfile ?? []);
  if (!targets.length || !isObject(value) || typeof value.reference !== 'string') {
    return;
  }
  const resolved = ctx.resolve(value.reference);
  if (!resolved) {
    return; // unresolvable references are reported once, by the Bundle check
  }
  const allowed = targets.map((u) => typeOfProfile(u, ctx));
  if (!allowed.includes(resolved.resourceType) && !allowed.includes('Resource')) {
    issue(
      ctx,
      'error',
      'structure',
      path,
      `reference to ${resolved.resourceType}, but only ${allowed.join(', ')} allowed`
    );
  }
}

function checkMemberProfiles(
  el: ElementDefinition,
  value: unknown,
  path: string,
  ctx: WalkContext,
  isRoot: boolean
): void {
  if (isRoot) {
    return;
  }
  const profiles = (el.type ?? []).flatMap((t) => t.profile ?? []).filter((u) => ctx.conf.profile(u));
  if (!profiles.length) {
    return;
  }
  if (profiles.length === 1) {
    validateProfile(profiles[0], value, path, ctx);
    return;
  }
  // Several allowed profiles: checked against the one it claims; without a claim it must conform to one of them.
  const claimed = isObject(value) ? asArray((value.meta as Json | undefined)?.profile) : [];
  const target = profiles.find((u) => claimed.includes(u));
  if (target || !profiles.some((u) => conformsTo(value, u, ctx, false))) {
    validateProfile(target ?? profiles[0], value, path, ctx);
  }
}

function walk(
  p: LoadedProfile,
  el: ElementDefinition,
  value: unknown,
  path: string,
  ctx: WalkContext,
  isRoot = false
): void {
  const fp = fixedOrPattern(el);
  if (fp && !(fp.kind === 'fixed' ? deepEquals(value, fp.value) : matchesPattern(value, fp.value))) {
    issue(ctx, 'error', 'value', path, `value does not match the ${fp.kind} value ${JSON.stringify(fp.value)}`);
  }
  checkBinding(el, value, path, ctx);
  checkConstraints(el, value, path, ctx);
  checkReferenceTarget(el, value, path, ctx);
  checkMemberProfiles(el, value, path, ctx, isRoot);
  if (!isObject(value)) {
    return;
  }
  const id = el.id ?? '';
  const children =
    p.children.get(id) ?? (id.includes(':') ? p.children.get(id.replace(/:[^.:]+$/, '')) : undefined) ?? [];
  for (const child of children) {
    const childId = child.id ?? '';
    const name = lastSegment(childId);
    const vals = childValues(value, name);
    const childPath = (i: number): string =>
      `${path}.${vals[i]?.key ?? name}${vals.length > 1 || child.max !== '1' ? `[${i}]` : ''}`;
    const slices = child.slicing ? (p.slices.get(childId) ?? []).filter((s) => !(s.id ?? '').includes('/')) : [];
    if (changedFromBase(child)) {
      checkCardinality(child, vals.length, `${path}.${name}`, childId, ctx);
    }
    if (!slices.length) {
      vals.forEach(({ value: v }, i) => {
        walk(p, child, v, childPath(i), ctx);
      });
      continue;
    }
    const members = new Map<ElementDefinition, number[]>();
    vals.forEach(({ key, value: v }, i) => {
      const slice = slices.find((s) =>
        name.endsWith('[x]') && child.slicing?.discriminator?.[0]?.type === 'type'
          ? `${name.slice(0, -3)}${(s.type?.[0]?.code ?? '').replace(/^./, (c) => c.toUpperCase())}` === key
          : sliceMatches(p, childId, s, v, ctx)
      );
      if (slice) {
        members.set(slice, [...(members.get(slice) ?? []), i]);
        walk(p, slice, v, childPath(i), ctx);
      } else if (child.slicing?.rules === 'closed') {
        issue(ctx, 'error', 'structure', childPath(i), `${childId}: value matches no slice and the slicing is closed`);
      } else {
        walk(p, child, v, childPath(i), ctx);
      }
    });
    for (const s of slices) {
      checkCardinality(
        s,
        members.get(s)?.length ?? 0,
        `${path}.${name}`,
        `${s.id ?? ''} (slice ${s.sliceName ?? ''})`,
        ctx
      );
    }
  }
}

/**
 * Validates a value (a resource, or a datatype for member profiles) against a profile.
 * @param url - The profile's canonical URL.
 * @param value - The instance.
 * @param path - Its FHIRPath location, used in issues.
 * @param ctx - The walk context; issues are appended to it.
 */
export function validateProfile(url: string, value: unknown, path: string, ctx: WalkContext): void {
  const p = ctx.conf.profile(url);
  if (!p) {
    issue(ctx, 'warning', 'not-supported', path, `profile ${url} is not known; not checked`);
    return;
  }
  const root = p.sd.snapshot?.element?.[0];
  if (!root) {
    return;
  }
  const isResource = isObject(value) && typeof value.resourceType === 'string';
  const inner: WalkContext = isResource ? { ...ctx, resource: value as unknown as Resource } : ctx;
  walk(p, root, value, path || (isResource ? String(value.resourceType) : (p.sd.type ?? '')), inner, true);
}
