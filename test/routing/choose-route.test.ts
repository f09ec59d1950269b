// Choosing a study's route by the association's AE titles (first match wins), and the robots a
// route lets its jobs go to. Routes come from parseConfig, as the publisher gets them.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/schema.ts';
import { chooseRoute } from '../../src/routing/choose-route.ts';

const config = parseConfig(
  {
    robots: [
      { name: 'left', kind: 'sim' },
      { name: 'right', kind: 'sim' },
      { name: 'bravo', kind: 'serial', path: '/dev/ttyUSB0' },
    ],
    routes: [
      { name: 'ct-from-scanners', match: { calledAe: 'DISC_CT', callingAe: ['CT1', 'CT2'] }, robots: ['bravo', 'left'] },
      { name: 'ct-any-sender', match: { calledAe: 'DISC_CT' }, media: 'dvd' },
      { name: 'from-ct3', match: { callingAe: 'CT3' } },
      { name: 'rest' },
    ],
  },
  'routes.yaml',
);

const route = (calledAeTitle: string, callingAeTitle: string) => chooseRoute(config.routes, { calledAeTitle, callingAeTitle })?.name;

describe('chooseRoute', () => {
  it('takes the first route whose match accepts both AE titles', () => {
    expect(route('DISC_CT', 'CT1')).toBe('ct-from-scanners');
    expect(route('DISC_CT', 'CT2')).toBe('ct-from-scanners');
    expect(route('DISC_CT', 'CT3')).toBe('ct-any-sender');
    expect(route('DISCROBOT', 'CT3')).toBe('from-ct3');
    expect(route('DISCROBOT', 'MR1')).toBe('rest');
  });

  it('ignores the spaces that pad AE titles, but not case', () => {
    expect(route('DISC_CT         ', ' CT1 ')).toBe('ct-from-scanners');
    expect(route('disc_ct', 'CT1')).toBe('rest');
    expect(route('DISCROBOT', 'ct3')).toBe('rest');
  });

  it('returns undefined when no route matches, leaving the decision to the caller', () => {
    const narrow = parseConfig({ routes: [{ name: 'only-ct', match: { calledAe: 'DISC_CT' } }] }, 'narrow.yaml').routes;
    expect(chooseRoute(narrow, { calledAeTitle: 'DISCROBOT', callingAeTitle: 'CT1' })).toBeUndefined();
    expect(chooseRoute(narrow, { calledAeTitle: 'DISC_CT', callingAeTitle: 'CT1' })?.name).toBe('only-ct');
    expect(chooseRoute([], { calledAeTitle: 'DISC_CT', callingAeTitle: 'CT1' })).toBeUndefined();
  });

  it('gives the route itself, with its settings', () => {
    const chosen = chooseRoute(config.routes, { calledAeTitle: 'DISC_CT', callingAeTitle: 'XA' });
    expect(chosen).toBe(config.routes[1]);
    expect(chosen?.media).toBe('dvd');
  });

  it('sends everything down the default route of a configuration without routes', () => {
    const defaults = parseConfig({}, 'empty.yaml');
    expect(chooseRoute(defaults.routes, { calledAeTitle: 'ANY', callingAeTitle: 'SENDER' })?.name).toBe('default');
  });
});
