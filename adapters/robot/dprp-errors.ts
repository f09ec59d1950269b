// Errors of the DPRP driver. A request rejects only for the link (gone, or no reply came); a device's
// `ERR` reply is a normal result (ChannelReply ok:false), turned into DprpRefusedError only by
// callers that cannot go on without an OK (the session opening).

export class DprpTimeoutError extends Error {
  constructor(
    readonly verb: string,
    readonly seq: number,
    detail: string,
  ) {
    super(`no reply to ${verb} (Q${seq}) ${detail}`);
    this.name = 'DprpTimeoutError';
  }
}

export class DprpLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DprpLinkError';
  }
}

export class DprpRefusedError extends Error {
  constructor(
    readonly verb: string,
    readonly code: number,
    readonly codeName: string,
  ) {
    super(`${verb} refused by the device: ERR ${code} ${codeName}`);
    this.name = 'DprpRefusedError';
  }
}
