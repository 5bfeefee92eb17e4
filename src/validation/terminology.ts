/**
 * Offline value set expansion, used by the build (scripts/build-snapshots.ts) to precompute the codes of every
 * value set a required binding of our profiles names. A value set is expandable when each include lists its
 * concepts or names a complete CodeSystem we have; filters, imported value sets, excludes and code systems we do
 * not have (SNOMED CT, LOINC, BCP-13 mime types, ...) make it not expandable: such bindings are documented as not
 * checked.
 */
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';

/** Value sets and code systems by canonical URL. */
export interface TerminologySource {
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
}

function allCodes(cs: CodeSystem | undefined): string[] | undefined {
  if (!cs?.concept || cs.content === 'not-present' || cs.content === 'fragment' || cs.content === 'example') {
    return undefined;
  }
  const out: string[] = [];
  const walk = (concepts: NonNullable<CodeSystem['concept']>): void => {
    for (const c of concepts) {
      if (c.code) {
        out.push(c.code);
      }
      walk(c.concept ?? []);
    }
  };
  walk(cs.concept);
  return out;
}

/**
 * Expands a value set to `system|code` strings.
 * @param url - The value set's canonical URL (a `|version` suffix is ignored).
 * @param source - The terminology at hand.
 * @returns The codes, or undefined when the value set cannot be expanded offline.
 */
export function expandValueSet(url: string, source: TerminologySource): string[] | undefined {
  const vs = source.valueSets.get(url.split('|')[0]);
  if (!vs?.compose?.include.length || vs.compose.exclude?.length) {
    return undefined;
  }
  const codes: string[] = [];
  for (const inc of vs.compose.include) {
    if (inc.filter?.length || inc.valueSet?.length || !inc.system) {
      return undefined;
    }
    const included = inc.concept?.map((c) => c.code) ?? allCodes(source.codeSystems.get(inc.system));
    if (!included) {
      return undefined;
    }
    codes.push(...included.map((c) => `${inc.system ?? ''}|${c}`));
  }
  return codes;
}
