// An error that is an answer: thrown anywhere while handling a request, it becomes that HTTP status
// with a JSON body { error } a person can act on (never a stack trace).

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra response headers, e.g. Allow for 405 or WWW-Authenticate for 401. */
    readonly headers: Record<string, string> = {},
    /** Close the connection after answering (a body we refused to read in full). */
    readonly closeConnection = false,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
