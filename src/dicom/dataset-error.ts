// The error for a data set that cannot be stored as received: it names the element and where it was.
import { formatTag } from './dictionary.ts';

export class DatasetError extends Error {
  override name = 'DatasetError';

  /** `offset` counts bytes from the start of the data set as received. */
  constructor(
    readonly tag: number,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`element ${formatTag(tag)} at offset ${offset}: ${reason}`);
  }
}
