// The conformance statement's text on the listeners' security: the TLS and allow-list settings of
// each listener (a table of their own, as they nest under dicom.listeners[]), the rejections they
// and the association limits cause, and section 7. Defaults come from src/config/defaults.ts.
import { DEFAULT_SETTINGS, DEFAULT_TLS_MIN_VERSION, TLS_MIN_VERSIONS } from '../config/defaults.ts';
import { bulletList, captionedTable, code, type MarkdownDocument } from './markdown.ts';

const { maxAssociations, maxAssociationsPerPeer } = DEFAULT_SETTINGS.dicom;

/** PS3.8 7.1.1.9 rows for the rejections the listener's policy adds: result, source, reason, explanation. */
export const SECURITY_REJECTIONS: ReadonlyArray<readonly [string, string, string, string]> = [
  [
    '1 – rejected-permanent',
    '1 – DICOM UL service-user',
    '3 – calling-AE-title-not-recognized',
    `The listener's ${code('allow.callingAeTitles')} lists AE titles and the calling AE title is not one of them.`,
  ],
  [
    '2 – rejected-transient',
    '3 – DICOM UL service-provider (presentation related function)',
    '2 – local-limit-exceeded',
    `When the connection was accepted, ${code('dicom.maxAssociations')} associations were open in all, or ${code('dicom.maxAssociationsPerPeer')} from the peer's address. Sent only to a request that would otherwise be accepted; the peer may try again later.`,
  ],
];

/** Descriptions of the flat settings this part adds, for Table 4.4-2. */
export const SECURITY_SETTING_DESCRIPTIONS: Record<string, { meaning: string; flag?: string }> = {
  'dicom.listeners': {
    meaning: `Listeners: ${code('host')} (IPv4 or IPv6 address) and ${code('port')}, each with optional ${code('tls')} and ${code('allow')} settings (Table 4.4-4); several are allowed. ${code('--host')}/${code('--port')} move the listeners and keep their ${code('tls')} and ${code('allow')}; they are refused when listeners differ in those.`,
    flag: '`--host`, `--port` (repeatable)',
  },
  'dicom.maxAssociations': {
    meaning: 'Associations open at once, over all listeners and peers. A connection beyond it is answered with A-ASSOCIATE-RJ 2/3/2 (rejected-transient, local-limit-exceeded) after its A-ASSOCIATE-RQ.',
  },
  'dicom.maxAssociationsPerPeer': {
    meaning: `Associations open at once from one peer address (IPv4-mapped IPv6 counts as IPv4); beyond it, as for ${code('dicom.maxAssociations')}. At most ${code('dicom.maxAssociations')}.`,
  },
};

const LISTENER_SETTINGS: ReadonlyArray<readonly [string, string, string]> = [
  [code('tls'), code('null'), 'Absent or null: plain TCP. A mapping: the listener speaks DICOM over TLS only (PS3.15 B.1, B.9); the files are PEM and are read at start-up, which stops with a message naming the setting when one is missing, unreadable or the key does not match the certificate.'],
  [code('tls.cert'), '(required)', 'The listener\'s certificate, optionally followed by its chain.'],
  [code('tls.key'), '(required)', 'Its unencrypted private key; readable by discrobot only.'],
  [code('tls.ca'), code('null'), 'CA certificates that client certificates must be signed by. Required with requireClientCertificate.'],
  [code('tls.requireClientCertificate'), code('false'), 'Ask for a client certificate; a connection without a valid one (signed by tls.ca) is closed right after the handshake, before any PDU is read, and logged.'],
  [code('tls.minVersion'), code(DEFAULT_TLS_MIN_VERSION), `Lowest TLS version accepted: ${TLS_MIN_VERSIONS.map(code).join(' or ')}. Nothing below TLS 1.2 is ever accepted.`],
  [code('allow'), code('null'), 'Absent or null: any peer. A mapping of the two lists below; a list that is null allows any.'],
  [code('allow.callingAeTitles'), code('null'), 'Calling AE titles accepted on this listener; others get A-ASSOCIATE-RJ 1/1/3.'],
  [code('allow.addresses'), code('null'), `Peer addresses accepted: IPv4 or IPv6 addresses and CIDR blocks, such as ${code('10.0.0.0/8')} or ${code('fd00::/8')}; an IPv4-mapped IPv6 peer is matched as IPv4. A connection from another address is closed at once, before anything is read from it, and logged.`],
];

/** Table 4.4-4: the per-listener settings under dicom.listeners[]. */
export function listenerSecuritySettings(doc: MarkdownDocument): void {
  doc.add(
    captionedTable('Table 4.4-4 Listener Settings (dicom.listeners[])', ['Setting', 'Default', 'Meaning'], LISTENER_SETTINGS.map((row) => [...row])),
    `Relative file paths are taken from the working directory discrobot is started in.`,
  );
}

/** The row of Table 3-1 on security. */
export const SECURITY_DIFFERENCE: readonly [string, string, string] = [
  'Security',
  'None',
  'Optional TLS per listener (TLS 1.2 or later, optional client certificates), allow-lists of calling AE titles and peer addresses per listener, and limits on simultaneous associations (section 7)',
];

/** Table 4.2-8's row on the number of associations. */
export const NUMBER_OF_ASSOCIATIONS: readonly [string, string] = [
  'Maximum number of simultaneous associations',
  `${maxAssociations} in all (${code('dicom.maxAssociations')}), ${maxAssociationsPerPeer} per peer address (${code('dicom.maxAssociationsPerPeer')}); both configurable. Beyond them an association is rejected transient (Table 4.2-10).`,
];

/** Section 7. */
export function security(doc: MarkdownDocument): void {
  doc.heading(2, '7 Security');
  doc.heading(3, '7.1 Security Profiles');
  doc.add(
    `A listener with ${code('tls')} settings (Table 4.4-4) speaks DICOM over TLS as the Secure Transport Connection Profiles of PS3.15 Annex B describe: TLS ${DEFAULT_TLS_MIN_VERSION.slice(4)} or later (${code('tls.minVersion')}), the server authenticated by its certificate, the client by its certificate when ${code('tls.requireClientCertificate')} is set. The cipher suites are the Node.js runtime's defaults, which include those the BCP 195 profiles (PS3.15 B.9, B.10) require; interoperation is tested with DCMTK's default, the Non-downgrading BCP 195 TLS Profile. Other listeners use plain TCP. A failed handshake (no or an untrusted client certificate, a version below the minimum, plain DICOM on a TLS port) ends that connection only and is logged with the peer's address and the reason.`,
  );
  doc.heading(3, '7.2 Association Level Security');
  doc.add(
    bulletList([
      `Called AE title: checked against ${code('dicom.aeTitles')} (section 4.2.1.4.1).`,
      `Calling AE title: when the listener's ${code('allow.callingAeTitles')} lists titles, any other is rejected with A-ASSOCIATE-RJ 1/1/3 (calling-AE-title-not-recognized).`,
      `Peer address: when the listener's ${code('allow.addresses')} lists addresses or blocks, a connection from any other is closed before any PDU is read, and logged as a warning with the address and the listener.`,
      `Simultaneous associations: limited in all and per peer address (Table 4.2-8); beyond a limit, A-ASSOCIATE-RJ 2/3/2 (local-limit-exceeded), logged with the peer and the limit.`,
      'A TLS client certificate identifies the peer\'s host, not its AE title: the allow-lists apply to TLS connections as to plain ones.',
    ]),
  );
  doc.heading(3, '7.3 Application Level Security');
  doc.add('None. Patient data is written to the log only at the `debug` and `trace` levels.');
}
