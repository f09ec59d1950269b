// Human sizes in the configuration ("2GB", "500 MB", "1.5GiB"): KB/MB/GB/TB are powers of 1000 as
// disk makers and `df -H` count, KiB/MiB/GiB/TiB powers of 1024 as `df -h` counts. Units ignore case.

const UNIT_FACTORS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i;

/** A whole, non-negative number of bytes from a number or a human size; undefined when it is neither. */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = SIZE_PATTERN.exec(value);
  if (!match) return undefined;
  const [, amount = '', unit = 'b'] = match;
  const factor = UNIT_FACTORS[unit.toLowerCase()];
  if (factor === undefined) return undefined;
  // A fraction of a byte is not a size; "1.5KB" is.
  if (factor === 1 && amount.includes('.')) return undefined;
  const bytes = Math.round(Number(amount) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
