import { describe, expect, test } from 'vitest';
import { dtToFhirDateTime, toFhirDate, toFhirDateTime, toFhirTime, toHumanName, zoneOffset } from './values.ts';

describe('DICOM dates and times', () => {
  test('DA → date, invalid dates are dropped', () => {
    expect(toFhirDate('20040119')).toBe('2004-01-19');
    expect(toFhirDate('2004.01.19')).toBe('2004-01-19');
    expect(toFhirDate('20040231')).toBeUndefined();
    expect(toFhirDate('')).toBeUndefined();
  });

  test('TM → time with partial values and fractions', () => {
    expect(toFhirTime('07')).toBe('07:00:00');
    expect(toFhirTime('0727')).toBe('07:27:00');
    expect(toFhirTime('072730')).toBe('07:27:30');
    expect(toFhirTime('072730.120000')).toBe('07:27:30.12');
    expect(toFhirTime('07:27:30')).toBe('07:27:30');
    expect(toFhirTime('256000')).toBeUndefined();
  });

  test('DA + TM take TimezoneOffsetFromUTC when present', () => {
    expect(toFhirDateTime('20040119', '072730', '-0500', 'Europe/Paris')).toBe('2004-01-19T07:27:30-05:00');
  });

  test('without an offset the configured zone applies, daylight saving included', () => {
    expect(toFhirDateTime('20240115', '1200', undefined, 'Europe/Amsterdam')).toBe('2024-01-15T12:00:00+01:00');
    expect(toFhirDateTime('20240715', '1200', undefined, 'Europe/Amsterdam')).toBe('2024-07-15T12:00:00+02:00');
    expect(toFhirDateTime('20240715', '1200', undefined, 'America/New_York')).toBe('2024-07-15T12:00:00-04:00');
    expect(toFhirDateTime('20240715', '1200', undefined, '+05:30')).toBe('2024-07-15T12:00:00+05:30');
    expect(zoneOffset('UTC', '2024-07-15', '12:00:00')).toBe('+00:00');
    expect(() => zoneOffset('Mars/Olympus', '2024-07-15', '12:00:00')).toThrow(RangeError);
  });

  test('a date alone stays a date', () => {
    expect(toFhirDateTime('20240715', undefined, undefined, 'Europe/Amsterdam')).toBe('2024-07-15');
  });

  test('DT with its own offset, partial precision', () => {
    expect(dtToFhirDateTime('20240715123000.5+0200', undefined, 'UTC')).toBe('2024-07-15T12:30:00.5+02:00');
    expect(dtToFhirDateTime('2024', undefined, 'UTC')).toBe('2024');
    expect(dtToFhirDateTime('202407', undefined, 'UTC')).toBe('2024-07');
  });
});

describe('PN → HumanName', () => {
  test('keeps all five components of the alphabetic group', () => {
    expect(toHumanName({ family: 'Last', given: 'First', middle: 'mid', prefix: 'pre', suffix: 'suf' })).toEqual({
      family: 'Last',
      given: ['First', 'mid'],
      prefix: ['pre'],
      suffix: ['suf'],
      text: 'pre First mid Last suf',
    });
  });
});
