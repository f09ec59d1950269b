// README.TXT and INDEX.HTM of a disc, as IHE PDI (RAD TF-3 4.47) asks: README.TXT names the
// institution, the creating application and its version, how the disc is organised and the profile
// it conforms to (ASCII, not patient-specific); INDEX.HTM portrays the exact content: an institution
// header, a link to README.TXT, the manifest of patients, studies and series (marking which disc of
// a set holds what), what stayed off the disc and why, and the directory values that were
// substituted. Links are lower case (DRG catalogue 3.2.1.9): the disc is plain ISO 9660, which
// Windows reads case-insensitively and Linux mounts in lower case.
import { formatDicomDate, formatPersonName } from './label-data.ts';
import type { MediaProfile } from './profiles.ts';
import { DICOM_FOLDER, DICOMDIR_NAME, INDEX_NAME, README_NAME } from './fileset.ts';

export interface ManifestSeries {
  seriesInstanceUid: string;
  seriesNumber: string | null;
  modality: string | null;
  description: string | null;
  /** Instances of the series in the whole set. */
  instances: number;
  /** Of those, on this disc. */
  onThisDisc: number;
  /** 1-based numbers of the discs that hold its instances. */
  discs: number[];
}

export interface ManifestStudy {
  studyInstanceUid: string;
  date: string | null;
  time: string | null;
  description: string | null;
  accessionNumber: string | null;
  studyId: string | null;
  series: ManifestSeries[];
}

export interface ManifestPatient {
  patientId: string;
  /** DICOM PN, decoded. */
  name: string | null;
  birthDate: string | null;
  sex: string | null;
  studies: ManifestStudy[];
}

export interface OffDiscEntry {
  sopInstanceUid: string;
  sopClassUid: string;
  sopClassName?: string;
  reason: string;
}

export interface SubstitutionEntry {
  sopInstanceUid: string;
  recordType: string;
  key: string;
  value: string;
  reason: string;
}

export interface PdiContent {
  application: { name: string; version: string; implementationClassUid: string; implementationVersionName: string };
  institution: { name: string; contact?: string };
  profile: MediaProfile;
  /** e.g. CD-R */
  mediumName: string;
  fileSetId: string;
  discIndex: number;
  discCount: number;
  /** ISO 8601 */
  createdAt: string;
  /** The whole set's manifest (each series says which discs hold it). */
  patients: ManifestPatient[];
  instancesOnDisc: number;
  instancesInSet: number;
  /** Objects of no patient (hanging protocols, palettes, implants): on disc 1 of a set. */
  rootObjects?: { sopClassName: string; description: string | null; disc: number }[];
  /** Instances of the job that no disc of the set holds. */
  offDisc: OffDiscEntry[];
  /** Directory record values of this disc that were substituted for empty keys. */
  substitutions: SubstitutionEntry[];
  /** A site folder merged into the disc (a viewer, for example). */
  site?: { name: string; entry?: string; description?: string };
}

const PROFILE_TITLES: Record<MediaProfile, string> = {
  'STD-GEN-CD': 'General Purpose CD-R Interchange',
  'STD-GEN-DVD-JPEG': 'General Purpose DVD Interchange with JPEG (every file here is uncompressed Explicit VR Little Endian)',
  'STD-GEN-BD': 'General Purpose BD Interchange',
};

const FILE_SYSTEM = 'ISO 9660 Level 1 (no Joliet or Rock Ridge extensions); file names are the DICOM File IDs';

// ---- README.TXT ----------------------------------------------------------------------------------

/** README.TXT: ASCII with CRLF line ends, so that every system's plain text viewer shows it. */
export function readmeText(c: PdiContent): string {
  const lines: string[] = [];
  const title = `DICOM disc${c.discCount > 1 ? ` ${c.discIndex} of ${c.discCount}` : ''} - ${c.fileSetId}`;
  lines.push(title, '='.repeat(title.length), '');
  lines.push(`Created by:   ${c.institution.name}`);
  if (c.institution.contact) lines.push(`Contact:      ${c.institution.contact}`);
  lines.push(`Created on:   ${c.createdAt.slice(0, 10)}`);
  lines.push(`Created with: ${c.application.name} ${c.application.version}`);
  lines.push(`              (DICOM Implementation Class UID ${c.application.implementationClassUid},`);
  lines.push(`              Implementation Version Name ${c.application.implementationVersionName})`);
  lines.push(`Medium:       ${c.mediumName}, File-set ID ${c.fileSetId}`);
  lines.push('');
  lines.push('CONFORMANCE');
  lines.push(`This disc is a DICOM File-set of the Media Storage Application Profile ${c.profile}`);
  lines.push(`(${PROFILE_TITLES[c.profile]}, DICOM PS3.11), in the layout of the IHE Radiology`);
  lines.push('Portable Data for Imaging (PDI) profile, DICOM content only (no web content).');
  lines.push(`File system: ${FILE_SYSTEM}.`);
  lines.push('');
  if (c.discCount > 1) {
    lines.push('PART OF A SET');
    lines.push(`This is disc ${c.discIndex} of a set of ${c.discCount} discs. The study did not fit on one disc, so`);
    lines.push('each disc is a complete DICOM File-set of its own, with its own DICOMDIR. Import');
    lines.push(`every disc of the set. This disc holds ${c.instancesOnDisc} of the set's ${c.instancesInSet} DICOM objects;`);
    lines.push('INDEX.HTM lists which disc holds which series.');
    lines.push('');
  }
  lines.push('ORGANIZATION OF THIS DISC');
  lines.push(`  ${DICOMDIR_NAME.padEnd(12)}the DICOM directory: lists every DICOM file on this disc`);
  lines.push(`  ${(DICOM_FOLDER + '\\').padEnd(12)}the DICOM files (${c.instancesOnDisc}), file names without extension`);
  lines.push(`  ${INDEX_NAME.padEnd(12)}the contents of this disc, to open in a web browser`);
  lines.push(`  ${README_NAME.padEnd(12)}this file`);
  if (c.site) lines.push(`  ${(c.site.name + '\\').padEnd(12)}${c.site.description ?? 'additional content provided by the creating institution'}`);
  lines.push('');
  lines.push('HOW TO USE THIS DISC');
  lines.push('Open the disc with a DICOM viewer or import it into a PACS through DICOMDIR, which');
  lines.push('references every file. Nothing on this disc starts by itself.');
  if (c.offDisc.length > 0) {
    lines.push('');
    lines.push(`${c.offDisc.length} object(s) of the request are not on ${c.discCount > 1 ? 'these discs' : 'this disc'} (their DICOM classes cannot be`);
    lines.push('recorded on interchange media); INDEX.HTM lists them.');
  }
  lines.push('');
  return lines.map(toAscii).join('\r\n');
}

/** Plain ASCII for README.TXT: accents dropped, a few letters spelled out, anything else "?". */
export function toAscii(text: string): string {
  const spelled: Record<string, string> = { ß: 'ss', Æ: 'AE', æ: 'ae', Ø: 'O', ø: 'o', Œ: 'OE', œ: 'oe', Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Þ: 'Th', þ: 'th' };
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/gu, (ch) => spelled[ch] ?? '?');
}

// ---- INDEX.HTM ------------------------------------------------------------------------------------

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/** A link to a file of the disc, in the case rule of the disc (lower case). */
export function discLink(isoPath: string): string {
  return isoPath.replace(/^\//, '').toLowerCase();
}

const dash = '\u2014';
const show = (value: string | null | undefined): string => (value && value.trim() !== '' ? escapeHtml(value.trim()) : dash);
const showDate = (value: string | null): string => show(formatDicomDate(value));

function showTime(value: string | null): string {
  const m = value ? /^(\d{2})(\d{2})?/.exec(value.trim()) : null;
  return m ? `${m[1]}:${m[2] ?? '00'}` : '';
}

function whereText(s: ManifestSeries, c: PdiContent): string {
  if (c.discCount === 1) return `${s.instances}`;
  const others = s.discs.filter((d) => d !== c.discIndex);
  const discs = `${others.length === 1 ? 'disc' : 'discs'} ${others.join(', ')}`;
  if (s.onThisDisc === s.instances) return `all ${s.instances} on this disc`;
  if (s.onThisDisc > 0) return `${s.onThisDisc} of ${s.instances} on this disc, the others on ${discs}`;
  return `${s.instances} on ${discs}`;
}

export function indexHtml(c: PdiContent): string {
  const discText = c.discCount > 1 ? `Disc ${c.discIndex} of ${c.discCount}` : 'Disc 1 of 1';
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">');
  out.push('<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">');
  out.push('<head>');
  out.push('<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />');
  out.push(`<title>${escapeHtml(c.institution.name)} ${dash} DICOM disc ${escapeHtml(c.fileSetId)}</title>`);
  out.push('<style type="text/css">body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin:0.5em 0 1em 0}' +
    'th,td{border:1px solid #999;padding:0.2em 0.5em;text-align:left;vertical-align:top}th{background:#eee}.note{color:#444}</style>');
  out.push('</head>');
  out.push('<body>');
  out.push(`<h1>${escapeHtml(c.institution.name)}</h1>`);
  if (c.institution.contact) out.push(`<p>${escapeHtml(c.institution.contact)}</p>`);
  out.push(`<h2>DICOM disc ${escapeHtml(c.fileSetId)} ${dash} ${discText}</h2>`);
  out.push('<p>');
  out.push(`${escapeHtml(c.mediumName)}, created ${escapeHtml(c.createdAt.slice(0, 10))} with ${escapeHtml(c.application.name)} ${escapeHtml(c.application.version)}. ` +
    `DICOM Media Storage Application Profile ${c.profile}; IHE Portable Data for Imaging (PDI), DICOM content only.`);
  out.push('</p>');
  out.push('<ul>');
  out.push(`<li><a href="${discLink('/' + README_NAME)}">${README_NAME}</a>: about this disc and how to use it</li>`);
  if (c.site?.entry) {
    out.push(`<li><a href="${escapeHtml(discLink(`/${c.site.name}/${c.site.entry}`))}">${escapeHtml(c.site.name)}</a>: ` +
      `${escapeHtml(c.site.description ?? 'additional content provided by the creating institution')} (not DICOM; not for import)</li>`);
  } else if (c.site) {
    out.push(`<li>${escapeHtml(c.site.name)}: ${escapeHtml(c.site.description ?? 'additional content provided by the creating institution')} (not DICOM; not for import)</li>`);
  }
  out.push('</ul>');
  if (c.discCount > 1) {
    out.push(`<p>This disc is part of a set of ${c.discCount} discs holding ${c.instancesInSet} DICOM objects. ` +
      `Each disc is a complete DICOM File-set with its own DICOMDIR; this disc holds ${c.instancesOnDisc} of the objects. ` +
      'Import every disc of the set.</p>');
  }

  out.push(`<h2>Manifest${c.discCount > 1 ? ` of the set (${discText})` : ''}</h2>`);
  out.push(`<p class="note">Importable DICOM content: ${c.instancesOnDisc} DICOM object(s) in the folder ${DICOM_FOLDER}, listed in DICOMDIR.</p>`);
  for (const p of c.patients) {
    const name = p.name ? formatPersonName(p.name) : '';
    out.push(`<h3>Patient: ${show(name)}</h3>`);
    out.push('<table>');
    out.push(`<tr><th>Patient ID</th><td>${show(p.patientId)}</td></tr>`);
    out.push(`<tr><th>Birth date</th><td>${showDate(p.birthDate)}</td></tr>`);
    out.push(`<tr><th>Sex</th><td>${show(p.sex)}</td></tr>`);
    out.push('</table>');
    for (const s of p.studies) {
      const when = [formatDicomDate(s.date) ?? '', showTime(s.time)].filter((x) => x !== '').join(' ');
      out.push(`<h4>Study ${when ? escapeHtml(when) : 'without date'}: ${show(s.description)}</h4>`);
      out.push(`<p class="note">Accession number ${show(s.accessionNumber)}, Study ID ${show(s.studyId)}, Study Instance UID ${escapeHtml(s.studyInstanceUid)}</p>`);
      out.push('<table>');
      out.push(`<tr><th>Series</th><th>Modality</th><th>Description</th><th>Objects</th><th>Series Instance UID</th></tr>`);
      for (const se of s.series) {
        out.push(`<tr><td>${show(se.seriesNumber)}</td><td>${show(se.modality)}</td><td>${show(se.description)}</td>` +
          `<td>${escapeHtml(whereText(se, c))}</td><td>${escapeHtml(se.seriesInstanceUid)}</td></tr>`);
      }
      out.push('</table>');
    }
  }

  if (c.rootObjects && c.rootObjects.length > 0) {
    out.push('<h3>Objects of no patient</h3>');
    out.push('<table>');
    out.push('<tr><th>Object</th><th>Description</th><th>Where</th></tr>');
    for (const o of c.rootObjects) {
      const where = o.disc === c.discIndex ? 'this disc' : `disc ${o.disc}`;
      out.push(`<tr><td>${escapeHtml(o.sopClassName)}</td><td>${show(o.description)}</td><td>${where}</td></tr>`);
    }
    out.push('</table>');
  }

  out.push(`<h2>Not on ${c.discCount > 1 ? 'these discs' : 'this disc'}</h2>`);
  if (c.offDisc.length === 0) {
    out.push(`<p>Every DICOM object of the request is on ${c.discCount > 1 ? 'a disc of the set' : 'this disc'}.</p>`);
  } else {
    out.push(`<p>${c.offDisc.length} DICOM object(s) of the request are on ${c.discCount > 1 ? 'no disc of the set' : 'no disc'}:</p>`);
    out.push('<table>');
    out.push('<tr><th>SOP Class</th><th>SOP Instance UID</th><th>Why</th></tr>');
    for (const o of c.offDisc) {
      out.push(`<tr><td>${escapeHtml(o.sopClassName ?? o.sopClassUid)}<br />${escapeHtml(o.sopClassUid)}</td><td>${escapeHtml(o.sopInstanceUid)}</td><td>${escapeHtml(o.reason)}</td></tr>`);
    }
    out.push('</table>');
  }
  if (c.substitutions.length > 0) {
    out.push('<h2>Directory values substituted</h2>');
    out.push('<p>These objects leave empty a value DICOMDIR needs; their directory records carry the value below. ' +
      'The DICOM files themselves are unchanged.</p>');
    out.push('<table>');
    out.push('<tr><th>SOP Instance UID</th><th>Record</th><th>Key</th><th>Value</th><th>Why</th></tr>');
    for (const s of c.substitutions) {
      out.push(`<tr><td>${escapeHtml(s.sopInstanceUid)}</td><td>${escapeHtml(s.recordType)}</td><td>${escapeHtml(s.key)}</td>` +
        `<td>${escapeHtml(s.value)}</td><td>${escapeHtml(s.reason)}</td></tr>`);
    }
    out.push('</table>');
  }
  out.push('</body>');
  out.push('</html>');
  out.push('');
  return out.join('\n');
}
