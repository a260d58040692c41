// An API's token lifetime between the console's minutes/hours and the stored seconds.
import { describe, expect, it } from '@jest/globals';
import { lifetimeSeconds, shownLifetime } from '../../src/admin/console/token-lifetime.js';

describe('token lifetime in plain units', () => {
  it.each([
    [3600, { value: '1', unit: 'hours' }],
    [86_400, { value: '24', unit: 'hours' }],
    [900, { value: '15', unit: 'minutes' }],
    [5400, { value: '90', unit: 'minutes' }],
    [90, { value: '1.5', unit: 'minutes' }],
  ])('%i s is shown as %o', (seconds, shown) => {
    expect(shownLifetime(seconds)).toEqual(shown);
  });

  it.each([
    ['2', 'hours', 7200],
    ['45', 'minutes', 2700],
    ['1,5', 'hours', 5400],
    [' 0.5 ', 'hours', 1800],
    // Without a unit (a client posting the stored value), seconds.
    ['600', '', 600],
  ])('%s %s is %i s', (raw, unit, seconds) => {
    expect(lifetimeSeconds(raw, unit)).toBe(seconds);
  });

  it.each([[''], ['soon'], ['  ']])('%p is not a number, for the API to refuse', (raw) => {
    expect(lifetimeSeconds(raw, 'minutes')).toBeNaN();
  });
});
