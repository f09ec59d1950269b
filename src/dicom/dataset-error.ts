// The error for a data set that cannot be stored as received: it names the element and where it was.
import { formatTag } from './dictionary.ts';

export class DatasetError extends Error {
  override name = 'DatasetError';

  /**
   * `offset` counts bytes from the start of the data set as received. `tag` is null only when not
   * even the first element's tag could be read.
   */
  constructor(
    readonly tag: number | null,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(tag === null ? `data set at offset ${offset}: ${reason}` : `element ${formatTag(tag)} at offset ${offset}: ${reason}`);
  }
}
