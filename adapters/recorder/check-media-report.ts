// The report of `xorriso -check_media` (on stderr when data_to=- takes stdout), as printed by
// xorriso 1.5.4:
//   Media region :          0 ,       1310 , + good
//   Media region :       1024 ,        286 , - unreadable
//   MD5 tag range:          0 ,       1159 , + md5_match
//   MD5 tag range:          0 ,       1159 , 0 md5_mismatch
// A region's quality starting with "-" is damage; a tag range is only good as "md5_match".

export interface CheckedRange {
  lba: number;
  blocks: number;
  quality: string;
}

export interface CheckMediaReport {
  /** Block ranges xorriso could not read (quality starting with "-"). */
  badRegions: CheckedRange[];
  /** Ranges covered by libisofs MD5 tags (superblock, tree, session), with their outcome. */
  tagRanges: CheckedRange[];
}

const REGION = /^Media region\s*:\s*(\d+)\s*,\s*(\d+)\s*,\s*([-+0])\s*(.*?)\s*$/;
const TAG_RANGE = /^MD5 tag range\s*:\s*(\d+)\s*,\s*(\d+)\s*,\s*([-+0])\s*(.*?)\s*$/;

export class CheckMediaReportParser {
  readonly report: CheckMediaReport = { badRegions: [], tagRanges: [] };

  line(text: string): void {
    const region = REGION.exec(text);
    if (region) {
      if (region[3] === '-') this.report.badRegions.push(range(region));
      return;
    }
    const tag = TAG_RANGE.exec(text);
    if (tag) this.report.tagRanges.push(range(tag));
  }
}

export function tagMatched(range: CheckedRange): boolean {
  return range.quality === 'md5_match';
}

export function describeRange(range: CheckedRange): string {
  return `blocks ${range.lba}..${range.lba + range.blocks - 1} ${range.quality}`;
}

function range(match: RegExpExecArray): CheckedRange {
  return { lba: Number(match[1]), blocks: Number(match[2]), quality: match[4] || match[3] || '' };
}
