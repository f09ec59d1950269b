// The one error the DICOMDIR writer throws: an input it cannot put on a disc, named in the message.

export class DicomdirError extends Error {
  constructor(
    message: string,
    /** The instance concerned, when there is one. */
    readonly sopInstanceUid?: string,
  ) {
    super(message);
    this.name = 'DicomdirError';
  }
}
