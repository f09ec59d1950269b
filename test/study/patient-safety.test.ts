// Unit tests of the patient-safety checks (src/study/patient-safety.ts): each hold reason, the clean
// study, the normalisation of names, dates and Patient IDs, the bounded summary the study actor keeps,
// and that reasons never carry patient data (they are logged at info level).

import { describe, expect, it } from 'vitest';
import {
  admitInstance,
  checkStudy,
  describeHold,
  emptySafetySummary,
  MAX_PATIENTS,
  MAX_VARIANTS,
  normaliseDate,
  normalisePatientId,
  normalisePersonName,
  openFindings,
  summariseSafety,
  type InstanceFacts,
  type SafetyReport,
  type SafetySummary,
} from '../../src/study/patient-safety.ts';

const STUDY = '1.2.826.0.1.3680043.2.1125.7.1';
let sop = 0;

function instance(patientId: string | null, patientName: string | null, patientBirthDate: string | null, extra: Partial<InstanceFacts> = {}): InstanceFacts {
  sop++;
  return {
    sopInstanceUid: `${STUDY}.${sop}`,
    studyInstanceUid: STUDY,
    patientId,
    patientName,
    patientBirthDate,
    contentDigest: `sha256:${sop.toString(16).padStart(8, '0')}`,
    ...extra,
  };
}

const check = (instances: InstanceFacts[], priorPatientIds?: string[]): SafetyReport => checkStudy({ studyInstanceUid: STUDY, instances, priorPatientIds });
const codes = (report: SafetyReport) => report.reasons.map((r) => r.code);

/** No reason may carry a value of the instances: only field names and counts. */
function expectNoValuesIn(report: SafetyReport, instances: InstanceFacts[]): void {
  const values = instances.flatMap((i) => [i.patientId, i.patientName, i.patientBirthDate, i.sopInstanceUid, i.studyInstanceUid]);
  const words = new Set(values.flatMap((v) => (v ?? '').split(/[\^= ]+/)).filter((w) => w.trim().length > 1).map((w) => w.trim().toUpperCase()));
  for (const reason of report.reasons) {
    for (const word of words) expect(reason.message.toUpperCase(), `reason ${reason.code} shows '${word}'`).not.toContain(word);
  }
}

describe('checkStudy: the clean study', () => {
  it('one patient written in several equivalent ways holds nothing', () => {
    const instances = [
      instance('PAT-001', 'Doe^Jane', '19700101'),
      instance(' PAT-001 ', 'DOE^JANE^^^', '1970.01.01'),
      instance('PAT-001', '  doe ^ jane  ', ' 19700101'),
      instance('PAT-001', 'DOE^JANE=', '19700101'),
    ];
    expect(check(instances)).toEqual({ reasons: [], values: {} });
  });

  it('a name or birth date not stated does not disagree with a stated one', () => {
    const instances = [instance('PAT-001', 'DOE^JANE', '19700101'), instance('PAT-001', null, ''), instance('PAT-001', '', null), instance('PAT-001', '^^', '  ')];
    expect(check(instances)).toEqual({ reasons: [], values: {} });
  });

  it('the same SOP Instance UID with the same content again is a resend, not a duplicate', () => {
    const first = instance('PAT-001', 'DOE^JANE', '19700101');
    expect(check([first, { ...first }, { ...first }])).toEqual({ reasons: [], values: {} });
  });

  it('an empty study holds nothing', () => {
    expect(check([])).toEqual({ reasons: [], values: {} });
  });
});

describe('checkStudy: each hold reason', () => {
  it("no-patient-id: an instance without Patient ID, or with only spaces, names the field and the count", () => {
    const instances = [instance('PAT-001', 'DOE^JANE', '19700101'), instance(null, 'DOE^JANE', '19700101'), instance('   ', 'DOE^JANE', '19700101')];
    const report = check(instances);
    expect(report.reasons).toEqual([{ code: 'no-patient-id', message: '2 instances have no Patient ID (0010,0020)' }]);
    expect(report.values).toEqual({ 'no-patient-id': { sopInstanceUids: [instances[1]!.sopInstanceUid, instances[2]!.sopInstanceUid] } });
    expectNoValuesIn(report, instances);
  });

  it('no-patient-id counts a resent instance once', () => {
    const lone = instance(null, 'DOE^JANE', '19700101');
    expect(check([lone, { ...lone }]).reasons).toEqual([{ code: 'no-patient-id', message: '1 instance has no Patient ID (0010,0020)' }]);
  });

  it("demographics-disagree on the name: one Patient ID, two names; the values come apart from the reason", () => {
    const instances = [instance('PAT-001', 'DOE^JANE', '19700101'), instance('PAT-001', 'Doe^Janet', '19700101'), instance('PAT-001', 'doe^jane', '19700101')];
    const report = check(instances);
    expect(report.reasons).toEqual([{ code: 'demographics-disagree', message: "instances with the same Patient ID (0010,0020) disagree on Patient's Name (0010,0010)" }]);
    expect(report.values).toEqual({
      'demographics-disagree': { patients: [{ patientId: 'PAT-001', names: ['DOE^JANE', 'Doe^Janet', 'doe^jane'], birthDates: ['19700101'] }] },
    });
    expectNoValuesIn(report, instances);
  });

  it('demographics-disagree on the birth date only', () => {
    const instances = [instance('PAT-001', 'DOE^JANE', '19700101'), instance('PAT-001', 'DOE^JANE', '19700110')];
    const report = check(instances);
    expect(report.reasons).toEqual([{ code: 'demographics-disagree', message: "instances with the same Patient ID (0010,0020) disagree on Patient's Birth Date (0010,0030)" }]);
    expect(report.values['demographics-disagree']?.patients).toEqual([{ patientId: 'PAT-001', names: ['DOE^JANE'], birthDates: ['19700101', '19700110'] }]);
  });

  it('demographics-disagree on both fields names both', () => {
    const report = check([instance('PAT-001', 'DOE^JANE', '19700101'), instance('PAT-001', 'ROE^JANE', '19710101')]);
    expect(report.reasons[0]?.message).toBe("instances with the same Patient ID (0010,0020) disagree on Patient's Name (0010,0010) and Patient's Birth Date (0010,0030)");
  });

  it('a middle name present in one instance and absent in another disagrees: only empty trailing components are ignored', () => {
    expect(codes(check([instance('PAT-001', 'DOE^JANE^A', '19700101'), instance('PAT-001', 'DOE^JANE', '19700101')]))).toEqual(['demographics-disagree']);
  });

  it('study-under-two-patients: one Study Instance UID under two Patient IDs', () => {
    const instances = [instance('PAT-001', 'DOE^JANE', '19700101'), instance('PAT-002', 'ROE^RICHARD', '19800202'), instance('PAT-001', 'DOE^JANE', '19700101')];
    const report = check(instances);
    expect(report.reasons).toEqual([{ code: 'study-under-two-patients', message: 'the Study Instance UID (0020,000D) arrived under 2 different Patient IDs (0010,0020)' }]);
    expect(report.values).toEqual({ 'study-under-two-patients': { patientIds: ['PAT-001', 'PAT-002'] } });
    expectNoValuesIn(report, instances);
  });

  it('study-under-two-patients across rounds: a Patient ID already seen for the Study UID counts', () => {
    const report = check([instance('PAT-002', 'ROE^RICHARD', '19800202')], ['PAT-001']);
    expect(codes(report)).toEqual(['study-under-two-patients']);
    expect(report.values['study-under-two-patients']).toEqual({ patientIds: ['PAT-001', 'PAT-002'] });
    expect(check([instance('PAT-001', 'DOE^JANE', '19700101')], [' PAT-001 '])).toEqual({ reasons: [], values: {} });
  });

  it('duplicate-sop-different-content: a SOP Instance UID again with another digest', () => {
    const first = instance('PAT-001', 'DOE^JANE', '19700101');
    const again = { ...first, contentDigest: 'sha256:ffffffff' };
    const report = check([first, again, { ...first }]);
    expect(report.reasons).toEqual([{ code: 'duplicate-sop-different-content', message: '1 SOP Instance UID (0008,0018) arrived again with different content' }]);
    expect(report.values).toEqual({ 'duplicate-sop-different-content': { sopInstanceUids: [first.sopInstanceUid] } });
    expectNoValuesIn(report, [first]);
  });

  it('several reasons at once come in a fixed order, each with its values', () => {
    const first = instance('PAT-001', 'DOE^JANE', '19700101');
    const instances = [first, instance(null, null, null), instance('PAT-002', 'ROE^RICHARD', null), instance('PAT-001', 'DOE^JOHN', null), { ...first, contentDigest: 'sha256:0' }];
    const report = check(instances);
    expect(codes(report)).toEqual(['no-patient-id', 'study-under-two-patients', 'demographics-disagree', 'duplicate-sop-different-content']);
    expect(Object.keys(report.values).sort()).toEqual([...codes(report)].sort());
    expectNoValuesIn(report, instances);
  });

  it('refuses an instance of another study: the caller mixed two studies', () => {
    expect(() => check([instance('PAT-001', 'DOE^JANE', '19700101', { studyInstanceUid: '1.2.3' })])).toThrow('belongs to another Study Instance UID');
  });
});

describe('normalisation', () => {
  it.each([
    [null, ''],
    ['', ''],
    ['Doe^Jane', 'DOE^JANE'],
    ['DOE^JANE^^^', 'DOE^JANE'],
    ['  DOE ^ JANE  ', 'DOE^JANE'],
    ['van  der Berg^Anna', 'VAN DER BERG^ANNA'],
    ['DOE^JANE=', 'DOE^JANE'],
    ['DOE^JANE^^=^=', 'DOE^JANE'],
    ['^^^', ''],
    ['=^=', ''],
    // A leading empty component is significant: a given name alone is not a family name.
    ['^JANE', '^JANE'],
    ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'YAMADA^TAROU=山田^太郎=やまだ^たろう'],
    ['Müller^Jürgen', 'MÜLLER^JÜRGEN'],
    // The same letters in decomposed form (e + combining acute) compare equal to the composed form.
    ['Ame\u0301lie^Rose', 'AMÉLIE^ROSE'],
  ])('person name %j → %j', (value, normalised) => {
    expect(normalisePersonName(value)).toBe(normalised);
  });

  it('names equal after normalisation compare equal, others do not', () => {
    expect(normalisePersonName('müller^jürgen')).toBe(normalisePersonName('MÜLLER^JÜRGEN^^'));
    expect(normalisePersonName('DOE^JANE')).not.toBe(normalisePersonName('DOE^JANET'));
    expect(normalisePersonName('DOE^JANE')).not.toBe(normalisePersonName('JANE^DOE'));
  });

  it.each([
    [null, ''],
    ['', ''],
    ['19700101', '19700101'],
    [' 19700101 ', '19700101'],
    ['1970.01.01', '19700101'],
  ])('date %j → %j', (value, normalised) => {
    expect(normaliseDate(value)).toBe(normalised);
  });

  it.each([
    [null, null],
    ['', null],
    ['   ', null],
    [' PAT-001 ', 'PAT-001'],
    ['pat-001', 'pat-001'],
  ])('Patient ID %j → %j (case is significant: an identifier)', (value, normalised) => {
    expect(normalisePatientId(value)).toBe(normalised);
  });
});

describe('admitInstance: one instance at a time, against a bounded summary', () => {
  const jane = { patientId: 'PAT-001', patientName: 'DOE^JANE', patientBirthDate: '19700101' };

  it('raises only what is new: a variant seen once raises nothing again', () => {
    let summary = emptySafetySummary();
    const step = (i: Parameters<typeof admitInstance>[1]) => {
      const result = admitInstance(summary, i);
      summary = result.summary;
      return result.raised;
    };
    expect(step(jane)).toEqual([]);
    expect(step({ ...jane, patientName: 'DOE^JANET' })).toEqual(['demographics-disagree']);
    expect(step({ ...jane, patientName: 'DOE^JANET' })).toEqual([]);
    expect(step({ ...jane, patientName: 'Doe^Jane' })).toEqual([]);
    expect(step({ ...jane, patientBirthDate: '19700102' })).toEqual(['demographics-disagree']);
    expect(step({ patientId: 'PAT-002', patientName: 'ROE^RICHARD', patientBirthDate: '19800202' })).toEqual(['study-under-two-patients']);
    expect(step({ patientId: 'PAT-002', patientName: 'ROE^RICHARD', patientBirthDate: '19800202' })).toEqual([]);
    expect(step({ ...jane, patientId: null })).toEqual(['no-patient-id']);
    expect(step({ ...jane, patientId: null })).toEqual(['no-patient-id']);
    expect(step({ ...jane, duplicate: 'different' })).toEqual(['duplicate-sop-different-content']);
    expect(summary).toEqual({
      patients: {
        'PAT-001': { names: ['DOE^JANE', 'DOE^JANET'], birthDates: ['19700101', '19700102'] },
        'PAT-002': { names: ['ROE^RICHARD'], birthDates: ['19800202'] },
      },
      morePatients: false,
      withoutPatientId: 2,
      differentContent: 1,
    } satisfies SafetySummary);
  });

  it('a resend changes nothing and raises nothing, whatever it carries', () => {
    const summary = summariseSafety([jane]);
    expect(admitInstance(summary, { ...jane, patientId: null, duplicate: 'same' })).toEqual({ summary, raised: [] });
    expect(admitInstance(summary, { ...jane, patientName: 'OTHER^NAME', duplicate: 'same' })).toEqual({ summary, raised: [] });
  });

  it('a different-content duplicate also brings its demographics', () => {
    const { raised } = admitInstance(summariseSafety([jane]), { ...jane, patientName: 'DOE^JOAN', duplicate: 'different' });
    expect(raised).toEqual(['demographics-disagree', 'duplicate-sop-different-content']);
  });

  it('a first instance under a prior Patient ID of the study raises nothing; another Patient ID does', () => {
    const prior = emptySafetySummary(['PAT-001', '  ']);
    expect(prior.patients).toEqual({ 'PAT-001': { names: [], birthDates: [] } });
    expect(admitInstance(prior, jane).raised).toEqual([]);
    expect(admitInstance(prior, { ...jane, patientId: 'PAT-009' }).raised).toEqual(['study-under-two-patients']);
  });

  it('stays bounded: thousands of Patient IDs and names keep at most MAX_PATIENTS × MAX_VARIANTS values, and each new one still raises', () => {
    let summary = emptySafetySummary();
    const raisedCodes = new Set<string>();
    for (let n = 0; n < 2000; n++) {
      const result = admitInstance(summary, { patientId: `PAT-${n % 1000}`, patientName: `NAME^${n}`, patientBirthDate: `1970${String(n % 100).padStart(4, '0')}` });
      summary = result.summary;
      if (n > 0) expect(result.raised.length, `instance ${n}`).toBeGreaterThan(0);
      result.raised.forEach((c) => raisedCodes.add(c));
    }
    expect(Object.keys(summary.patients)).toHaveLength(MAX_PATIENTS);
    expect(summary.morePatients).toBe(true);
    for (const p of Object.values(summary.patients)) {
      expect(p.names.length).toBeLessThanOrEqual(MAX_VARIANTS);
      expect(p.birthDates.length).toBeLessThanOrEqual(MAX_VARIANTS);
    }
    expect([...raisedCodes].sort()).toEqual(['demographics-disagree', 'study-under-two-patients']);
    expect(JSON.stringify(summary).length).toBeLessThan(1500);
    expect(describeHold('study-under-two-patients', summary).message).toBe(
      `the Study Instance UID (0020,000D) arrived under more than ${MAX_PATIENTS} different Patient IDs (0010,0020)`,
    );
  });

  it('agrees with checkStudy: the reasons raised one at a time are the reasons of the whole study', () => {
    const first = instance('PAT-001', 'DOE^JANE', '19700101');
    const study = [first, instance('PAT-001', 'DOE^JANE', '19700102'), instance(null, null, null), { ...first }, { ...first, contentDigest: 'x' }, instance('PAT-002', null, null)];
    const seen = new Map<string, string>();
    let summary = emptySafetySummary();
    const raised = new Set<string>();
    for (const i of study) {
      const digest = seen.get(i.sopInstanceUid);
      const duplicate = digest === undefined ? undefined : digest === i.contentDigest ? 'same' : 'different';
      if (digest === undefined) seen.set(i.sopInstanceUid, i.contentDigest);
      const result = admitInstance(summary, { ...i, duplicate });
      summary = result.summary;
      result.raised.forEach((c) => raised.add(c));
    }
    expect(codes(check(study)).sort()).toEqual([...raised].sort());
    expect(openFindings(summary).sort()).toEqual([...raised].sort());
  });
});

describe('openFindings and describeHold', () => {
  it('a clean summary shows nothing; each kind of fact shows its reason', () => {
    const clean = summariseSafety([{ patientId: 'PAT-001', patientName: 'DOE^JANE', patientBirthDate: '19700101' }]);
    expect(openFindings(clean)).toEqual([]);
    expect(openFindings({ ...clean, withoutPatientId: 1 })).toEqual(['no-patient-id']);
    expect(openFindings({ ...clean, differentContent: 2 })).toEqual(['duplicate-sop-different-content']);
    expect(openFindings({ ...clean, morePatients: true })).toEqual(['study-under-two-patients']);
    expect(openFindings({ ...clean, patients: { 'PAT-001': { names: ['A', 'B'], birthDates: [] } } })).toEqual(['demographics-disagree']);
  });

  it('words counts in the singular and the plural', () => {
    const summary: SafetySummary = { ...emptySafetySummary(), withoutPatientId: 1, differentContent: 3 };
    expect(describeHold('no-patient-id', summary).message).toBe('1 instance has no Patient ID (0010,0020)');
    expect(describeHold('duplicate-sop-different-content', summary).message).toBe('3 SOP Instance UIDs (0008,0018) arrived again with different content');
  });
});
