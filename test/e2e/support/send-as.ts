// storescu sending a study under a chosen calling AE title, so that a route of the publisher's
// configuration (matched on the calling AE title) picks it up; fails unless every file was stored.
import { storescu } from '../../support/dcmtk.ts';
import type { SentFile } from './patient-study.ts';

export async function sendAs(callingAeTitle: string, port: number, files: SentFile[]): Promise<void> {
  const result = await storescu(port, 'DISCROBOT', files.map((f) => f.file), ['-aet', callingAeTitle]);
  const successes = result.output.match(/Received Store Response \(Success\)/g)?.length ?? 0;
  if (result.code !== 0 || successes !== files.length) {
    throw new Error(`storescu -aet ${callingAeTitle}: ${successes} of ${files.length} stored (exit ${result.code ?? result.signal}):\n${result.output}`);
  }
}
