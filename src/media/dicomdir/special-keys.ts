// Keys that are not a plain copy of a top-level element, built the way DCMTK's dcmmkdir builds them
// (dcddirif.cc): a value from the Shared Functional Groups, the concept modifiers of a document title,
// the latest verification time, and the references of a blending presentation state.
import { encodeItem, sequenceItems, type ParsedElement, type ParsedItem } from './explicit-le.ts';
import type { InstanceView } from './instance.ts';
import type { Special } from './record-keys.ts';
import { isEmptyValue, plainText } from './values.ts';

const SHARED_FUNCTIONAL_GROUPS = 0x52009229;
const CONTENT_SEQUENCE = 0x0040a730;
const RELATIONSHIP_TYPE = 0x0040a010;
const VERIFICATION_FLAG = 0x0040a493;
const VERIFYING_OBSERVER_SEQUENCE = 0x0040a073;
const VERIFICATION_DATETIME = 0x0040a030;
const BLENDING_SEQUENCE = 0x00700402;
const STUDY_INSTANCE_UID = 0x0020000d;
const REFERENCED_SERIES_SEQUENCE = 0x00081115;

/** Items of a collected sequence; an unreadable one counts as absent (these keys are all optional). */
function items(value: Buffer | undefined): ParsedItem[] {
  if (!value) return [];
  try {
    return sequenceItems(value);
  } catch {
    return [];
  }
}

/** Depth-first search through an item and the sequences inside it, in element order. */
function findDeep(elements: readonly ParsedElement[], tag: number): ParsedElement | undefined {
  for (const e of elements) {
    if (e.tag === tag) return e;
    if (e.vr === 'SQ') {
      for (const item of items(e.value)) {
        const found = findDeep(item.elements, tag);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function sequenceOf(raws: readonly Buffer[]): Buffer | undefined {
  return raws.length ? Buffer.concat(raws) : undefined;
}

/** The value of a special key for this instance, or undefined when it has none. */
export function specialValue(special: Special, tag: number, instance: InstanceView): Buffer | undefined {
  switch (special) {
    case 'sharedGroups': {
      const top = instance.valued(tag);
      if (top) return top.value;
      const first = items(instance.get(SHARED_FUNCTIONAL_GROUPS)?.value)[0];
      const found = first && findDeep(first.elements, tag);
      return found && !isEmptyValue(found.vr, found.value) ? found.value : undefined;
    }
    case 'conceptModifiers': {
      const modifiers = items(instance.get(CONTENT_SEQUENCE)?.value).filter((item) => {
        const rel = item.elements.find((e) => e.tag === RELATIONSHIP_TYPE);
        return rel !== undefined && plainText(rel.value) === 'HAS CONCEPT MOD';
      });
      return sequenceOf(modifiers.map((m) => m.raw));
    }
    case 'verificationDateTime': {
      if (instance.text(VERIFICATION_FLAG) !== 'VERIFIED') return undefined;
      const observers = items(instance.get(VERIFYING_OBSERVER_SEQUENCE)?.value);
      const last = observers[observers.length - 1];
      const dt = last?.elements.find((e) => e.tag === VERIFICATION_DATETIME);
      return dt && !isEmptyValue(dt.vr, dt.value) ? dt.value : undefined;
    }
    case 'blending': {
      const blended = items(instance.get(BLENDING_SEQUENCE)?.value)
        .slice(0, 2)
        .map((item) => encodeItem(item.elements.filter((e) => e.tag === STUDY_INSTANCE_UID || e.tag === REFERENCED_SERIES_SEQUENCE).map((e) => ({ tag: e.tag, vr: e.vr, value: e.value }))));
      return sequenceOf(blended);
    }
  }
}
