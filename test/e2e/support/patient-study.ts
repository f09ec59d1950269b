// Studies for the publisher's end-to-end tests, built to order: each instance with the patient
// fields a scenario needs (test/fixtures/make_patient_study.py writes them with pydicom), fresh UIDs
// per study so scenarios share one running publisher without meeting, and storescu to send them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storescu } from '../../support/dcmtk.ts';

const PYTHON = '/usr/bin/python3';
const MAKE_PATIENT_STUDY = fileURLToPath(new URL('../../fixtures/make_patient_study.py', import.meta.url));
/** pydicom's example root, for test UIDs only. */
const ROOT = '1.2.826.0.1.3680043.8.498.5505';

export interface InstanceSpec {
  file: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** null: the instance has no Patient ID element at all. */
  patientId: string | null;
  patientName: string;
  patientBirthDate: string;
  seriesNumber: number;
  instanceNumber: number;
  /** The pixels: the same SOP Instance UID with another seed is different content. */
  seed: number;
}

export interface SentFile {
  file: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  patientId: string | null;
  /** SHA-256 of the Pixel Data value: tells two contents under one SOP Instance UID apart. */
  pixelSha256: string;
}

export interface Patient {
  patientId: string | null;
  patientName: string;
  patientBirthDate: string;
}

let studies = 0;

/** A fresh Study Instance UID: unique per process and run. */
export function freshStudyUid(): string {
  studies += 1;
  return `${ROOT}.${process.pid}.${Date.now() % 1e9}.${studies}`;
}

/**
 * The instances of one study: `series[i]` instances in series i+1, all of `patient` unless
 * `patientOf(n)` (n counts from 0 over the whole study) says otherwise.
 */
export function studySpec(studyInstanceUid: string, series: number[], patient: Patient, patientOf: (n: number) => Patient = () => patient): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  series.forEach((count, s) => {
    for (let i = 0; i < count; i++) {
      const n = out.length;
      out.push({
        file: `${studyInstanceUid}-${n}.dcm`,
        studyInstanceUid,
        seriesInstanceUid: `${studyInstanceUid}.${s + 1}`,
        sopInstanceUid: `${studyInstanceUid}.${s + 1}.${i + 1}`,
        ...patientOf(n),
        seriesNumber: s + 1,
        instanceNumber: i + 1,
        seed: n,
      });
    }
  });
  return out;
}

/** Writes the instances as PS3.10 files under `out`; answers what was written, in order. */
export function writeInstances(out: string, instances: InstanceSpec[]): Promise<SentFile[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [MAKE_PATIENT_STUDY], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as SentFile[]) : reject(new Error(`make_patient_study.py exited with ${code}: ${stderr}`))));
    child.stdin.end(JSON.stringify({ out: path.resolve(out), instances }));
  });
}

/**
 * Sends the files in one association with storescu; fails unless every one was answered Success
 * (the publisher acknowledged it as stored).
 */
export async function send(port: number, files: SentFile[]): Promise<void> {
  const result = await storescu(port, 'DISCROBOT', files.map((f) => f.file));
  const successes = result.output.match(/Received Store Response \(Success\)/g)?.length ?? 0;
  if (result.code !== 0 || successes !== files.length) {
    throw new Error(`storescu: ${successes} of ${files.length} stored (exit ${result.code ?? result.signal}):\n${result.output}`);
  }
}
