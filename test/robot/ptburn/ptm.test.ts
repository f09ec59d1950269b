// The .PTM command codec (src/robot/ptburn/ptm.ts): every command sample of the SDK manual read to
// its typed command, our canonical text for each, round trips, and problems naming the key.
import { describe, expect, it } from 'vitest';
import { parsePtm, PtmValidationError, PTM_MESSAGES, writePtm, type PtmCommand } from '../../../src/robot/ptburn/ptm.ts';
import { crlf, PTM_SAMPLES } from './sdk-samples.ts';

describe('PTM samples from the PTBurn SDK manual', () => {
  const expected: Record<keyof typeof PTM_SAMPLES, [PtmCommand, string | undefined]> = {
    abort: [{ message: 'ABORT', clientId: 'Kevin' }, 'Kevin'],
    shutdownAfterJob: [{ message: 'SHUTDOWN_AFTERJOB' }, 'Administrator'],
    shutdownImmediate: [{ message: 'SHUTDOWN_IMMEDIATE' }, 'Administrator'],
    alignPrinter: [{ message: 'ALIGN_PRINTER', robotName: 'zzzz' }, 'Administrator'],
    ignoreInkLow: [{ message: 'IGNORE_INKLOW' }, 'Administrator'],
    checkBins: [{ message: 'CHECK_DISCSINBIN', robotName: 'zzzz' }, 'Administrator'],
    createReport: [{ message: 'CREATE_REPORT' }, undefined],
    usbConnect: [{ message: 'USB_CONNECT' }, undefined],
    kioskMode: [{ message: 'CHANGE_KIOSK_MODE', enabled: true, robotName: 'zzzz' }, 'Administrator'],
    cleanCartridges: [{ message: 'CLEAN_CARTRIDGES' }, undefined],
    processDisc: [{ message: 'PROCESS_DISC', discId: 0 }, undefined],
    rejectDisc: [{ message: 'REJECT_DISC', discId: 0 }, undefined],
    unloadDisc: [{ message: 'UNLOAD_DISC', discId: 0 }, undefined],
  };
  it.each(Object.keys(PTM_SAMPLES) as Array<keyof typeof PTM_SAMPLES>)('%s reads as printed', (name) => {
    const [command, clientId] = expected[name];
    const parsed = parsePtm(crlf(PTM_SAMPLES[name]));
    expect(parsed).toEqual(clientId === undefined ? { ok: true, command } : { ok: true, command, clientId });
    // Whatever the manual's spacing, what we write reads back to the same command.
    const written = writePtm(command);
    expect(parsePtm(written)).toEqual(parsed);
  });

  it('§4.1 ABORT is written byte for byte as the manual prints MyJob1.PTM', () => {
    expect(writePtm({ message: 'ABORT', clientId: 'Kevin' })).toBe(crlf(PTM_SAMPLES.abort));
  });

  it('fixes ClientID to Administrator where the manual says so', () => {
    expect(writePtm({ message: 'IGNORE_INKLOW' })).toBe('Message = IGNORE_INKLOW\r\nClientID = Administrator\r\n');
    expect(writePtm({ message: 'ALIGN_PRINTER', robotName: 'Disc Publisher XRP' })).toBe(
      'Message = ALIGN_PRINTER\r\nClientID = Administrator\r\nRobotName = Disc Publisher XRP\r\n',
    );
    expect(writePtm({ message: 'CHECK_DISCSINBIN' })).toBe('Message = CHECK_DISCSINBIN\r\nClientID = Administrator\r\n');
  });
});

describe('PTM round trips and problems', () => {
  const all: PtmCommand[] = [
    { message: 'ABORT', clientId: 'discrobot-ward3' },
    { message: 'SHUTDOWN_AFTERJOB' }, { message: 'SHUTDOWN_IMMEDIATE' },
    { message: 'ALIGN_PRINTER' }, { message: 'ALIGN_PRINTER', robotName: 'Disc Publisher SE' },
    { message: 'IGNORE_INKLOW' },
    { message: 'PROCESS_DISC', discId: 1 }, { message: 'REJECT_DISC', discId: 0 }, { message: 'UNLOAD_DISC', discId: 9 },
    { message: 'CHECK_DISCSINBIN', robotName: 'Disc Publisher XRP (Copy 1)' },
    { message: 'CREATE_REPORT' },
    { message: 'GENERATE_PREVIEW', pathFrom: 'c:\\a.std', pathTo: 'c:\\a.png', dpi: 72 },
    { message: 'GENERATE_PREVIEW', pathFrom: 'c:\\a.std', pathTo: 'c:\\a.png' },
    { message: 'RUN_UTILITY', pathFrom: 'c:\\tool.exe' },
    { message: 'USB_CONNECT' }, { message: 'USB_DISCONNECT', robotName: 'Disc Publisher PRO' },
    { message: 'CHANGE_KIOSK_MODE', enabled: false }, { message: 'CLEAN_CARTRIDGES' },
  ];
  it('covers every command and reads each written one back', () => {
    expect(new Set(all.map((c) => c.message))).toEqual(new Set(PTM_MESSAGES));
    for (const command of all) {
      const parsed = parsePtm(writePtm(command));
      expect(parsed.ok && parsed.command).toEqual(command);
    }
  });

  it.each<[string, PtmCommand, string]>([
    ['ABORT ClientID with a line break', { message: 'ABORT', clientId: 'a\r\nMessage = SHUTDOWN_IMMEDIATE' }, 'ClientID'],
    ['ABORT ClientID empty', { message: 'ABORT', clientId: '' }, 'ClientID'],
    ['ABORT ClientID too long', { message: 'ABORT', clientId: 'c'.repeat(33) }, 'ClientID'],
    ['DiscID 10', { message: 'PROCESS_DISC', discId: 10 }, 'DiscID'],
    ['DPI 49', { message: 'GENERATE_PREVIEW', pathFrom: 'a', pathTo: 'b', dpi: 49 }, 'DPI'],
    ['RobotName with LF', { message: 'USB_DISCONNECT', robotName: 'a\nb' }, 'RobotName'],
  ])('%s names %s', (_name, command, key) => {
    expect(() => writePtm(command)).toThrow(PtmValidationError);
    try {
      writePtm(command);
    } catch (error) {
      const problems = (error as PtmValidationError).problems;
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.key === key)).toBe(true);
    }
  });

  it.each<[string, string, string]>([
    ['no Message', 'ClientID = x\r\n', 'Message'],
    ['unknown Message', 'Message = FORMAT_C\r\n', 'Message'],
    ['ABORT without ClientID', 'Message = ABORT\r\n', 'ClientID'],
    ['DiscID not a number', 'Message = PROCESS_DISC\r\nDiscID = F\r\n', 'DiscID'],
    ['kiosk Value 2', 'Message = CHANGE_KIOSK_MODE\r\nValue = 2\r\n', 'Value'],
    ['USB_DISCONNECT without robot', 'Message = USB_DISCONNECT\r\n', 'RobotName'],
  ])('reading %s reports %s and never throws', (_name, text, key) => {
    const parsed = parsePtm(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.key)).toContain(key);
  });

  it('reads garbage without throwing', () => {
    for (const text of ['', '\0\0\0', '====', 'Message', '[Section]\r\nMessage=ABORT', '\uFEFF\uFFFD\u0001']) {
      expect(() => parsePtm(text)).not.toThrow();
    }
  });
});
