// Documented stand-ins for Type 1 record keys that real senders leave empty (most are only Type 2 in
// the instance's own IOD). The record gets the stand-in; the file is never changed; every use is
// listed in the build result. Related values come first (as DCMTK's dcmmkdir +I does for dates),
// made-up ones last.
import type { InstanceView } from './instance.ts';
import type { Substitute } from './record-keys.ts';
import { dicomDate, dicomTime, plainText } from './values.ts';

export interface SubstituteValue {
  value: string;
  reason: string;
}

/** What the substitutes may draw on besides the instances themselves. */
export interface SubstituteContext {
  /** The instances the record stands for, representative first. */
  members: readonly InstanceView[];
  /** The final Study Date and Time of the study record above (for leaf dates). */
  studyDate?: string;
  studyTime?: string;
  /** Numbers and IDs given out by the tree (see tree.ts). */
  assigned?: SubstituteValue;
  /** When the disc is made: the date of last resort. */
  now: Date;
}

const SERIES_DATE = 0x00080021;
const ACQUISITION_DATE = 0x00080022;
const CONTENT_DATE = 0x00080023;
const ACQUISITION_DATETIME = 0x0008002a;
const INSTANCE_CREATION_DATE = 0x00080012;
const SERIES_TIME = 0x00080031;
const ACQUISITION_TIME = 0x00080032;
const CONTENT_TIME = 0x00080033;
const INSTANCE_CREATION_TIME = 0x00080013;

const PDF = '1.2.840.10008.5.1.4.1.1.104.1';
const CDA = '1.2.840.10008.5.1.4.1.1.104.2';

interface Source {
  tag: number;
  name: string;
  /** Part of a DT value to use: date = [0, 8), time = [8, 14). */
  slice?: [number, number];
}

const DATE_SOURCES: readonly Source[] = [
  { tag: SERIES_DATE, name: 'Series Date' },
  { tag: ACQUISITION_DATE, name: 'Acquisition Date' },
  { tag: CONTENT_DATE, name: 'Content Date' },
  { tag: ACQUISITION_DATETIME, name: 'Acquisition DateTime', slice: [0, 8] },
  { tag: INSTANCE_CREATION_DATE, name: 'Instance Creation Date' },
];
const TIME_SOURCES: readonly Source[] = [
  { tag: SERIES_TIME, name: 'Series Time' },
  { tag: ACQUISITION_TIME, name: 'Acquisition Time' },
  { tag: CONTENT_TIME, name: 'Content Time' },
  { tag: ACQUISITION_DATETIME, name: 'Acquisition DateTime', slice: [8, 14] },
  { tag: INSTANCE_CREATION_TIME, name: 'Instance Creation Time' },
];

const DATE = /^\d{8}$/;
const TIME = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;

/** The first value of the sources, in their order, among the members; only well-formed values count. */
function related(members: readonly InstanceView[], sources: readonly Source[], pattern: RegExp, what: string): SubstituteValue | null {
  for (const source of sources) {
    for (const m of members) {
      let v = plainText(m.get(source.tag)?.value ?? Buffer.alloc(0));
      if (source.slice) v = v.slice(...source.slice);
      if (pattern.test(v)) return { value: v, reason: `${what} is empty; the ${source.name} of ${m.label} stands in` };
    }
  }
  return null;
}

export function substitute(kind: Substitute, ctx: SubstituteContext): SubstituteValue | null {
  const first = ctx.members[0];
  switch (kind) {
    case 'studyDate':
      return related(ctx.members, DATE_SOURCES, DATE, 'Study Date') ?? { value: dicomDate(ctx.now), reason: 'Study Date is empty and no instance of the study has a related date; the date the disc was made stands in' };
    case 'studyTime':
      return related(ctx.members, TIME_SOURCES, TIME, 'Study Time') ?? { value: dicomTime(ctx.now), reason: 'Study Time is empty and no instance of the study has a related time; the time the disc was made stands in' };
    case 'contentDate':
      return (
        related(ctx.members, [DATE_SOURCES[1]!, DATE_SOURCES[3]!, DATE_SOURCES[0]!, DATE_SOURCES[4]!], DATE, 'Content Date') ??
        (ctx.studyDate ? { value: ctx.studyDate, reason: "Content Date is empty; the study's date stands in" } : null)
      );
    case 'contentTime':
      return (
        related(ctx.members, [TIME_SOURCES[1]!, TIME_SOURCES[3]!, TIME_SOURCES[0]!, TIME_SOURCES[4]!], TIME, 'Content Time') ??
        (ctx.studyTime ? { value: ctx.studyTime, reason: "Content Time is empty; the study's time stands in" } : null)
      );
    case 'presentationDate':
      return (
        related(ctx.members, [DATE_SOURCES[4]!, DATE_SOURCES[2]!], DATE, 'Presentation Creation Date') ??
        (ctx.studyDate ? { value: ctx.studyDate, reason: "Presentation Creation Date is empty; the study's date stands in" } : null)
      );
    case 'presentationTime':
      return (
        related(ctx.members, [TIME_SOURCES[4]!, TIME_SOURCES[2]!], TIME, 'Presentation Creation Time') ??
        (ctx.studyTime ? { value: ctx.studyTime, reason: "Presentation Creation Time is empty; the study's time stands in" } : null)
      );
    case 'studyId':
    case 'seriesNumber':
    case 'instanceNumber':
      return ctx.assigned ?? null;
    case 'modality':
      return { value: 'OT', reason: 'Modality is empty; OT ("other") stands in' };
    case 'label':
      return { value: 'UNNAMED', reason: 'the label is empty; UNNAMED stands in' };
    case 'completionFlag':
      return { value: 'PARTIAL', reason: 'Completion Flag is empty; PARTIAL (the cautious value) stands in' };
    case 'verificationFlag':
      return { value: 'UNVERIFIED', reason: 'Verification Flag is empty; UNVERIFIED (the cautious value) stands in' };
    case 'mimeType':
      if (first?.sopClassUid === PDF) return { value: 'application/pdf', reason: 'MIME Type is empty; the SOP class (Encapsulated PDF) says application/pdf' };
      if (first?.sopClassUid === CDA) return { value: 'text/XML', reason: 'MIME Type is empty; the SOP class (Encapsulated CDA) says text/XML' };
      return null;
  }
}
