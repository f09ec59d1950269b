// Checks the fields of a JSON request body: a field of the wrong type, a missing one or one the
// endpoint does not know is a 422 naming the field, so a typo ("copy" for "copies") is not ignored.
import { HttpError } from './http-error.ts';

export type BodyFields = Record<string, unknown>;

/** The body as an object holding only the `known` fields; an empty body is an empty object. */
export function bodyObject(body: unknown, known: readonly string[]): BodyFields {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(422, 'body: must be a JSON object');
  }
  for (const name of Object.keys(body)) {
    if (!known.includes(name)) {
      const expected = known.length === 0 ? 'this endpoint takes no fields' : `known fields: ${known.join(', ')}`;
      throw new HttpError(422, `${name}: unknown field (${expected})`);
    }
  }
  return body as BodyFields;
}

export function requiredText(fields: BodyFields, name: string, maxLength: number): string {
  const value = fields[name];
  if (value === undefined) throw new HttpError(422, `${name}: required (a string)`);
  if (typeof value !== 'string') throw new HttpError(422, `${name}: must be a string`);
  const text = value.trim();
  if (text === '') throw new HttpError(422, `${name}: must not be empty`);
  if (text.length > maxLength) throw new HttpError(422, `${name}: must be at most ${maxLength} characters`);
  return text;
}

export function optionalCount(fields: BodyFields, name: string, max: number): number | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new HttpError(422, `${name}: must be a whole number from 1 to ${max}`);
  }
  return value;
}

export function requiredTextList(fields: BodyFields, name: string): string[] {
  const value = fields[name];
  if (value === undefined) throw new HttpError(422, `${name}: required (an array of strings)`);
  if (!Array.isArray(value)) throw new HttpError(422, `${name}: must be an array of strings`);
  if (value.length === 0) throw new HttpError(422, `${name}: must name at least one`);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw new HttpError(422, `${name}[${i}]: must be a string`);
    if (item.trim() === '') throw new HttpError(422, `${name}[${i}]: must not be empty`);
  });
  return value as string[];
}

export function optionalText(fields: BodyFields, name: string, maxLength: number): string | undefined {
  return fields[name] === undefined ? undefined : requiredText(fields, name, maxLength);
}

/** A string that must be one of `choices` (e.g. the kind of an action). */
export function requiredChoice<T extends string>(fields: BodyFields, name: string, choices: readonly T[]): T {
  const value = fields[name];
  if (value === undefined) throw new HttpError(422, `${name}: required (one of ${choices.join(', ')})`);
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new HttpError(422, `${name}: must be one of ${choices.join(', ')}`);
  }
  return value as T;
}

export function requiredWholeNumber(fields: BodyFields, name: string, min: number, max: number): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new HttpError(422, `${name}: must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function requiredNumber(fields: BodyFields, name: string, min: number, max: number): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new HttpError(422, `${name}: must be a number from ${min} to ${max}`);
  }
  return value;
}

export function requiredBoolean(fields: BodyFields, name: string): boolean {
  const value = fields[name];
  if (typeof value !== 'boolean') throw new HttpError(422, `${name}: must be true or false`);
  return value;
}
